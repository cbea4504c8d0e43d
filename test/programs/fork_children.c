/* fork_children: allocates, forks three children that allocate and exit normally, waits
 * for them, exits. Run with stats_print:true and a stats_print_file containing %p: each
 * process must write its own report. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  void* volatile keep = malloc(100000);
  for (int i = 0; i < 3; ++i) {
    if (fork() == 0) {
      for (int k = 0; k < 1000; ++k) {
        void* volatile p = malloc((size_t)k * 10 + 1);
        free(p);
      }
      exit(0);
    }
  }
  while (wait(NULL) > 0) {
  }
  free(keep);
  return 0;
}
