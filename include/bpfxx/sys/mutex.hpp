#pragma once
// `sys::mutex` and `sys::lock`: a process-local lock over pthread_mutex_t and
// its scope guard — all that bpfxx's few shared tables (the probe cache,
// the tc qdiscs this process made, the BTF reader's lazily built index)
// need. <mutex> would cost every translation unit that reaches them about
// 0.6 s of g++ to include.

#include <pthread.h>

namespace bpfxx::sys {

class mutex {
public:
    mutex() noexcept = default;
    mutex(const mutex&) = delete;
    mutex& operator=(const mutex&) = delete;
    ~mutex() = default; // a statically initialised mutex needs no destroy

    void lock() noexcept { (void)pthread_mutex_lock(&m_); }
    void unlock() noexcept { (void)pthread_mutex_unlock(&m_); }

private:
    pthread_mutex_t m_ = PTHREAD_MUTEX_INITIALIZER;
};

/// Holds `m` locked for its scope.
class lock {
public:
    explicit lock(mutex& m) noexcept : m_(m) { m_.lock(); }
    lock(const lock&) = delete;
    lock& operator=(const lock&) = delete;
    ~lock() { m_.unlock(); }

private:
    mutex& m_;
};

} // namespace bpfxx::sys
