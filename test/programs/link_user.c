/* link_user: a C program that uses bento the way an installed user would: the public
 * header, linked with -lbento (shared or static). Exits 0 when bento is its malloc. */
#include <bento/bento.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  char* p = malloc(100);
  if (p == NULL) return 1;
  memset(p, 1, 100);
  /* 112 is bento's class for 100 bytes; another malloc's pointer would abort here. */
  const size_t usable = bento_malloc_usable_size(p);
  free(p);
  void* q = bento_calloc(10, 10);
  bento_free(q);
  printf("usable %zu\n", usable);
  return usable == 112 ? 0 : 1;
}
