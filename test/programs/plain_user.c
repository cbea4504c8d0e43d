/* plain_user: a C program that knows nothing of bento: plain malloc and free, no bento_
 * symbol. Linked with libbento.a, it still gets every feature: it prints how many threads
 * it has (bento's helper thread makes 2) and, given a directory, waits for the daemon's
 * socket <dir>/<pid>.sock to appear and says whether it did. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int count_threads(void) {
  DIR* d = opendir("/proc/self/task");
  int n = 0;
  if (d == NULL) return -1;
  for (struct dirent* e; (e = readdir(d)) != NULL;) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

int main(int argc, char** argv) {
  void* v[1000];
  for (int i = 0; i < 1000; ++i) {
    v[i] = malloc(100 + (size_t)i);
    memset(v[i], 1, 100 + (size_t)i);
  }
  for (int i = 0; i < 1000; ++i) free(v[i]);
  printf("threads %d\n", count_threads());
  if (argc > 1) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%d.sock", argv[1], (int)getpid());
    struct stat st;
    int found = 0;
    for (int i = 0; i < 200 && !found; ++i) {  /* up to 2 s */
      found = stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
      if (!found) nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    printf("socket %s\n", found ? "yes" : "no");
  }
  return 0;
}
