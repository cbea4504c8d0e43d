/* test/programs/main_thread_exits.c: the main thread calls pthread_exit while workers
 * still allocate; the process must end (exit status 0, atexit handlers run) when the last
 * worker returns. bento's helper thread must not keep it alive.
 *
 * `slow-forks`: first, 40 forks of a process with 256 MiB resident (each takes tens of
 * ms, copying page tables). The helper wakes while the fork handlers hold the locks it
 * purges under and is held up past its next wake-up time; it must still wake again
 * (with daemon_interval_ms:10 it once computed a negative wait and slept for good). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void slow_forks(void) {
  enum { kBlocks = 64, kBlockBytes = 4 << 20 };
  static char* blocks[kBlocks];
  for (int i = 0; i < kBlocks; ++i) {
    blocks[i] = malloc(kBlockBytes);
    for (int off = 0; off < kBlockBytes; off += 4096) blocks[i][off] = 1;
  }
  const struct timespec pause = {0, 3000000L};
  for (int i = 0; i < 40; ++i) {
    const pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, NULL, 0);
    free(blocks[i % kBlocks]);  /* work for the helper: the huge cache */
    blocks[i % kBlocks] = malloc(kBlockBytes);
    nanosleep(&pause, NULL);
  }
  printf("forks done\n");
}

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

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "slow-forks") == 0) slow_forks();
  atexit(say_goodbye);
  pthread_t t[3];
  for (long i = 0; i < 3; ++i) pthread_create(&t[i], NULL, worker, (void*)i);
  pthread_exit(NULL);
}
