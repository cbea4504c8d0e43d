/* test/programs/main_thread_exits.c: the main thread calls pthread_exit while workers
 * still allocate; the process must end (exit status 0, atexit handlers run) when the last
 * worker returns. bento's helper thread must not keep it alive. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void say_goodbye(void) { printf("atexit handler ran\n"); }

static void* worker(void* arg) {
  const long id = (long)arg;
  const struct timespec pause = {0, 100000000L * (id + 1)};
  nanosleep(&pause, NULL);
  for (int i = 0; i < 10000; ++i) {
    char* p = malloc((size_t)(16 + i % 4000));
    memset(p, (int)id, 16);
    free(p);
  }
  printf("worker %ld done\n", id);
  fflush(stdout);
  return NULL;
}

int main(void) {
  atexit(say_goodbye);
  pthread_t t[3];
  for (long i = 0; i < 3; ++i) pthread_create(&t[i], NULL, worker, (void*)i);
  pthread_exit(NULL);
}
