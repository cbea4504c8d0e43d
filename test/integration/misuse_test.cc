// Misuse: each bad call is run in a child that must abort with one clear line naming
// the call, the pointer and the problem.
#define BOOST_TEST_MODULE misuse
#include <boost/test/unit_test.hpp>

// Every test here misuses the API on purpose; GCC's static checks would refuse to build it.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuse-after-free"
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
#endif

#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <new>
#include <string>
#include <thread>

#include <bento/bento.h>

#include "../support/subprocess.h"

extern "C" void free_sized(void* p, size_t size) noexcept;
extern "C" void free_aligned_sized(void* p, size_t align, size_t size) noexcept;

namespace {
using bento::test::ChildResult;
using bento::test::run_in_child;

void expect_abort(const ChildResult& r, const std::string& call, const std::string& problem) {
  BOOST_TEST(r.signal == SIGABRT);
  BOOST_TEST(r.err.find("bento: " + call + "(0x") == 0u, "stderr was: " << r.err);
  BOOST_TEST(r.err.find(problem) != std::string::npos, "stderr was: " << r.err);
  BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1, "one line: " << r.err);
}

bool strict_free() {
  bool strict = false;
  size_t len = sizeof(strict);
  return bento_mallctl("opt.strict_free", &strict, &len, nullptr, 0) == 0 && strict;
}
boost::test_tools::assertion_result strict_on(boost::unit_test::test_unit_id) { return strict_free(); }
boost::test_tools::assertion_result strict_off(boost::unit_test::test_unit_id) { return !strict_free(); }

void* volatile sink;  // keeps the compiler from pairing up our malloc and free calls
void* opaque(void* p) {
  sink = p;
  return sink;
}
}  // namespace

BOOST_AUTO_TEST_CASE(immediate_double_free_of_a_small_object) {
  expect_abort(run_in_child([] {
                 void* p = opaque(malloc(40));
                 free(p);
                 free(p);
               }),
               "free", "double free");
}

// Without strict_free, a later double free is caught where the bin flushes it.
BOOST_AUTO_TEST_CASE(delayed_double_free_is_caught_when_the_cache_flushes,
                     *boost::unit_test::precondition(strict_off)) {
  expect_abort(run_in_child([] {
                 void* others[1000];
                 for (auto& o : others) o = opaque(malloc(40));
                 void* p = opaque(malloc(40));
                 void* q = opaque(malloc(40));
                 free(p);
                 free(q);
                 free(p);  // p is not on top of the cache: taken, found later
                 for (auto& o : others) free(o);  // fills the bin, which flushes
               }),
               "free", "double free: the object is already free (found when the thread cache was flushed)");
}

// With strict_free (the misuse-strict run), every one is stopped at the call. Each
// child ends with _exit(0) right after the bad call: no flush or exit handler runs after
// it, so an abort proves the call itself was stopped.
BOOST_AUTO_TEST_CASE(delayed_double_free_is_caught_at_the_call, *boost::unit_test::precondition(strict_on)) {
  for (const size_t size : {size_t{16}, size_t{40}, size_t{112}, size_t{3000}, size_t{20000}}) {
    expect_abort(run_in_child([size] {
                   void* p = opaque(malloc(size));
                   free(p);
                   // 50,000 other frees of its class: p has long left the cache for its run.
                   for (int round = 0; round < 50; ++round) {
                     void* others[1000];
                     for (auto& o : others) o = opaque(malloc(size));
                     for (auto& o : others) free(o);
                   }
                   free(p);
                   _exit(0);
                 }),
                 // The mark names it, or the page map where p's run has emptied since.
                 "free", "double free");
  }
}

BOOST_AUTO_TEST_CASE(double_free_while_the_first_is_still_cached_is_caught_at_the_call,
                     *boost::unit_test::precondition(strict_on)) {
  expect_abort(run_in_child([] {
                 void* p = opaque(malloc(40));
                 void* q = opaque(malloc(40));
                 free(p);
                 free(q);
                 free(p);  // p is in the bin, under q
                 _exit(0);
               }),
               "free", "double free: the object was freed before and not allocated since");
}

BOOST_AUTO_TEST_CASE(double_free_from_another_thread_is_caught_at_the_call,
                     *boost::unit_test::precondition(strict_on)) {
  expect_abort(run_in_child([] {
                 void* p = opaque(malloc(64));
                 free(p);  // into this thread's cache
                 std::thread([p] { free(p); }).join();
                 _exit(0);
               }),
               "free", "double free: the object was freed before and not allocated since");
}

BOOST_AUTO_TEST_CASE(sized_double_free_is_caught_at_the_call, *boost::unit_test::precondition(strict_on)) {
  expect_abort(run_in_child([] {
                 void* p = opaque(::operator new(200));
                 ::operator delete(p, 200);
                 void* q = opaque(::operator new(200));  // p is no longer on top
                 ::operator delete(q, 200);
                 ::operator delete(p, 200);
                 _exit(0);
               }),
               "free_sized", "double free: the object was freed before and not allocated since");
}

BOOST_AUTO_TEST_CASE(realloc_of_a_freed_object, *boost::unit_test::precondition(strict_on)) {
  for (const size_t size : {size_t{24}, size_t{64}, size_t{20000}}) {
    expect_abort(run_in_child([size] {
                   void* p = opaque(malloc(size));
                   free(p);
                   sink = realloc(p, 2 * size + 100);
                   _exit(0);
                 }),
                 "realloc", "use after free: the object was freed before and not allocated since");
  }
}

// A pointer 16 bytes into a 112-byte object is aligned as the class's objects are.
// strict_free catches it at the call; without it, where its bin is flushed.
BOOST_AUTO_TEST_CASE(interior_pointer_at_a_class_aligned_offset) {
  const bool strict = strict_free();
  const ChildResult r = run_in_child([strict] {
    char* p = static_cast<char*>(opaque(malloc(112)));
    free(p + 16);
    if (strict) _exit(0);
    for (int round = 0; round < 20; ++round) {
      void* others[1000];
      for (auto& o : others) o = opaque(malloc(112));
      for (auto& o : others) free(o);
    }
  });
  expect_abort(r, "free", strict ? "invalid pointer: inside an object, not at its start"
                                 : "inside an object, not at its start (found when the thread cache was flushed)");
}

BOOST_AUTO_TEST_CASE(usable_size_of_a_pointer_bento_does_not_own_is_zero) {
  const ChildResult r = run_in_child([] {
    int local = 0;
    static char global_buf[64];
    if (malloc_usable_size(opaque(&local)) != 0 || malloc_usable_size(opaque(global_buf)) != 0) _exit(3);
    if (malloc_usable_size(opaque(malloc(100))) < 100) _exit(4);
  });
  BOOST_TEST(r.exited);
  BOOST_TEST(r.exit_code == 0);
  // Inside one of bento's objects is still an error: the caller holds a bad pointer.
  expect_abort(run_in_child([] { sink = reinterpret_cast<void*>(malloc_usable_size(static_cast<char*>(opaque(malloc(100000))) + 4096)); }),
               "malloc_usable_size", "inside an object");
}

BOOST_AUTO_TEST_CASE(double_free_of_a_large_object) {
  expect_abort(run_in_child([] {
                 void* p = opaque(malloc(100000));
                 free(p);
                 free(p);
               }),
               "free", "double free or invalid pointer: its page is free");
}

BOOST_AUTO_TEST_CASE(double_free_of_a_huge_object) {
  expect_abort(run_in_child([] {
                 void* p = opaque(malloc(8u << 20));
                 free(p);
                 free(p);
               }),
               "free", "not allocated by bento");
}

BOOST_AUTO_TEST_CASE(interior_pointers) {
  expect_abort(run_in_child([] { free(static_cast<char*>(opaque(malloc(100))) + 8); }),
               "free", "invalid pointer");
  expect_abort(run_in_child([] { free(static_cast<char*>(opaque(malloc(100000))) + 4096); }),
               "free", "inside an object, not at its start");
  expect_abort(run_in_child([] { free(static_cast<char*>(opaque(malloc(5u << 20))) + 64); }),
               "free", "inside a huge object");
}

BOOST_AUTO_TEST_CASE(pointers_bento_never_handed_out) {
  expect_abort(run_in_child([] {
                 int local = 0;
                 free(opaque(&local));
               }),
               "free", "not allocated by bento");
  expect_abort(run_in_child([] {
                 void* m = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                 free(opaque(m));
               }),
               "free", "not allocated by bento");
  expect_abort(run_in_child([] {
                 static char global_buf[64];
                 if (realloc(opaque(global_buf), 100) != nullptr) std::abort();
               }),
               "realloc", "not allocated by bento");
}

BOOST_AUTO_TEST_CASE(a_pointer_from_another_allocator) {
  // glibc's own malloc, reached through the libc handle (bento is the process's malloc).
  expect_abort(run_in_child([] {
                 void* libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
                 auto glibc_malloc = reinterpret_cast<void* (*)(size_t)>(dlsym(libc, "malloc"));
                 if (glibc_malloc == nullptr || glibc_malloc == &malloc) std::abort();
                 free(opaque(glibc_malloc(100)));
               }),
               "free", "not allocated by bento");
}

BOOST_AUTO_TEST_CASE(sized_frees_with_the_wrong_size) {
  expect_abort(run_in_child([] { free_sized(opaque(malloc(100)), 200); }),
               "free_sized", "size does not match");
  expect_abort(run_in_child([] { free_sized(opaque(malloc(100000)), 10); }),
               "free_sized", "size does not match");
  expect_abort(run_in_child([] { ::operator delete(opaque(::operator new(64)), 4000); }),
               "free_sized", "size does not match");
  expect_abort(run_in_child([] { free_aligned_sized(opaque(aligned_alloc(64, 64)), 64, 5000); }),
               "free_aligned_sized", "size does not match");
}

BOOST_AUTO_TEST_CASE(aligned_delete_of_a_pointer_not_so_aligned) {
  expect_abort(run_in_child([] {
                 char* p = static_cast<char*>(opaque(malloc(48)));
                 // 48-byte regions: some start 16 bytes off a 64-byte boundary.
                 char* q = static_cast<char*>(opaque(malloc(48)));
                 char* odd = (reinterpret_cast<uintptr_t>(p) % 64) != 0 ? p : q;
                 ::operator delete(odd, std::align_val_t{64});
               }),
               "operator delete", "not aligned");
}

BOOST_AUTO_TEST_CASE(a_correct_program_exits_cleanly) {
  const ChildResult r = run_in_child([] {
    for (int i = 0; i < 1000; ++i) free(opaque(malloc(static_cast<size_t>(i) * 37)));
  });
  BOOST_TEST(r.exited);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.err.empty());
}
