// Out of memory: a child under RLIMIT_AS allocates until bento can get no more from the
// OS. Every failing call must return null with errno ENOMEM (operator new: bad_alloc,
// nothrow new: null), the program must be able to free and go on, and nothing it holds
// may be damaged. Chunk growth, huge mappings and thread set-up all fail on the way.
#define BOOST_TEST_MODULE oom
#include <boost/test/unit_test.hpp>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <new>
#include <thread>
#include <vector>

#include "../support/errno_check.h"
#include "../support/fill.h"
#include "../support/subprocess.h"

namespace {

size_t vsize_bytes() {
  FILE* f = fopen("/proc/self/statm", "r");
  unsigned long pages = 0;
  if (f != nullptr) {
    if (fscanf(f, "%lu", &pages) != 1) pages = 0;
    fclose(f);
  }
  return pages * 4096;
}

struct Obj {
  void* p;
  size_t n;
};

// Allocates objects of `size` until failure; returns how many failing calls were checked
// (it tries a few more after the first failure). Exits the child with a code on a wrong
// failure.
long fill_until_failure(std::vector<Obj>& held, size_t size, long max_objects) {
  long failures = 0;
  for (long i = 0; i < max_objects && failures < 20; ++i) {
    bento::test::clear_errno();
    void* p = malloc(size);
    if (p == nullptr) {
      if (bento::test::read_errno() != ENOMEM) _exit(10);
      ++failures;
      continue;
    }
    bento::test::fill(p, size, reinterpret_cast<uintptr_t>(p), 256);
    held.push_back({p, size});
  }
  return failures;
}

void check_all(const std::vector<Obj>& held) {
  for (const Obj& o : held) {
    if (!bento::test::check(o.p, o.n, reinterpret_cast<uintptr_t>(o.p), 256)) _exit(11);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_failure_is_enomem_and_the_program_goes_on) {
  const auto r = bento::test::run_in_child([] {
    // Warm up this thread and the thread machinery before the limit.
    std::thread([] { free(malloc(10)); }).join();
    const size_t limit = vsize_bytes() + (160u << 20);
    struct rlimit rl = {limit, limit};
    if (setrlimit(RLIMIT_AS, &rl) != 0) _exit(20);
    std::vector<Obj> held;
    held.reserve(4u << 20);  // the test's own bookkeeping, before the limit bites
    long checked = 0;
    checked += fill_until_failure(held, 5u << 20, 1000);   // huge mappings
    checked += fill_until_failure(held, 300000, 100000);   // large runs: chunk growth fails
    checked += fill_until_failure(held, 48, 4000000);      // small regions
    // volatile: compilers may fold an unused allocation's null test to "not null".
    void* volatile got;
    bento::test::clear_errno();
    got = calloc(1, 1u << 30);
    if (got != nullptr || bento::test::read_errno() != ENOMEM) _exit(12);
    ++checked;
    void* p = malloc(64);
    bento::test::clear_errno();
    if (p != nullptr) {
      got = realloc(p, 1u << 30);
      if (got != nullptr || bento::test::read_errno() != ENOMEM) _exit(13);
    }
    ++checked;
    bool threw = false;
    try {
      got = ::operator new(size_t{1} << 30);
      ::operator delete(got);
    } catch (const std::bad_alloc&) {
      threw = true;
    }
    if (!threw) _exit(14);
    got = ::operator new(size_t{1} << 30, std::nothrow);
    if (got != nullptr) _exit(15);
    checked += 2;
    // A thread started under pressure still works (or fails cleanly).
    std::thread([] {
      void* x = malloc(100);
      free(x);
    }).join();
    check_all(held);
    // Free half and allocate again: bento must give the memory out again.
    std::vector<Obj> kept;
    for (size_t i = 0; i < held.size(); ++i) {
      if (i % 2 == 0) free(held[i].p);
      else kept.push_back(held[i]);
    }
    long again = 0;
    for (int i = 0; i < 1000; ++i) {
      void* x = malloc(48);
      if (x != nullptr) {
        ++again;
        free(x);
      }
    }
    if (again != 1000) _exit(16);
    void* big = malloc(300000);
    if (big == nullptr) _exit(17);
    free(big);
    check_all(kept);
    for (const Obj& o : kept) free(o.p);
    printf("checked %ld failing calls, held %zu objects at the limit\n", checked, held.size());
    fflush(stdout);
  });
  BOOST_TEST_MESSAGE(r.out);
  BOOST_TEST(r.exited);
  BOOST_TEST(r.exit_code == 0, "exit code " << r.exit_code << " stderr " << r.err);
  BOOST_TEST(r.out.find("checked ") != std::string::npos);
}
