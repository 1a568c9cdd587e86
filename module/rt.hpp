/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rt.hpp - the freestanding C++ runtime of eventpoll2.
 *
 * No libstdc++, no exceptions, no RTTI, no global constructors.  What C++
 * needs and the kernel has no header for is defined here: fixed-width types,
 * placement new, move/forward, compiler hints, the kernel's memory-access
 * primitives (READ_ONCE and friends, in terms of the GCC atomics that
 * generate the same instructions on x86), and ErrorOr<T> with TRY().
 */
#pragma once

#define EP2_UAPI_TYPES_PROVIDED 1
#include "kapi.h"
#include "ep2_layout.h"

typedef unsigned short u16;
typedef decltype(sizeof(0)) size_t;
typedef long ssize_t;
typedef unsigned long uintptr_t;
typedef u8 __u8;
typedef u16 __u16;
typedef u32 __u32;
typedef s32 __s32;
typedef u64 __u64;
typedef s64 __s64;
#include <linux/eventpoll2.h>

/* Placement new: the only form of new eventpoll2 uses. */
inline void *operator new(size_t, void *p) noexcept { return p; }
inline void operator delete(void *, void *) noexcept {}

namespace ep2 {

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

template <typename T> struct RemoveRef { using Type = T; };
template <typename T> struct RemoveRef<T &> { using Type = T; };
template <typename T> struct RemoveRef<T &&> { using Type = T; };

template <typename T> constexpr typename RemoveRef<T>::Type &&move(T &&t) noexcept
{
	return static_cast<typename RemoveRef<T>::Type &&>(t);
}
template <typename T> constexpr T &&forward(typename RemoveRef<T>::Type &t) noexcept
{
	return static_cast<T &&>(t);
}
template <typename T> constexpr T max(T a, T b) { return a > b ? a : b; }
template <typename T> constexpr T min(T a, T b) { return a < b ? a : b; }

/* Kernel memory-model primitives (see Documentation/memory-barriers.txt). */
template <typename T> inline T read_once(const T &x)
{
	return __atomic_load_n(&x, __ATOMIC_RELAXED);
}
template <typename T> inline void write_once(T &x, T v)
{
	__atomic_store_n(&x, v, __ATOMIC_RELAXED);
}
template <typename T> inline T load_acquire(const T &x)
{
	return __atomic_load_n(&x, __ATOMIC_ACQUIRE);
}
template <typename T> inline void store_release(T &x, T v)
{
	__atomic_store_n(&x, v, __ATOMIC_RELEASE);
}
inline void smp_mb() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

/*
 * Non-copyable, non-movable: every object that embeds a kernel object, and
 * every guard.  A macro rather than an empty base class, so that an embedded
 * kernel object can sit at offset 0 of its owner (two empty bases of one
 * type cannot share an address, which would shift the first member).
 */
#define EP2_NO_COPY(T)                          \
public:                                         \
	T(const T &) = delete;                  \
	T &operator=(const T &) = delete;       \
	T(T &&) = delete;                       \
	T &operator=(T &&) = delete
#define EP2_PINNED(T) EP2_NO_COPY(T); T() = default

/*
 * The object that embeds *@ptr as its @member: the kernel's container_of(),
 * with its type check.  A macro, as offsetof needs the member's name.
 */
#define ep2_container_of(ptr, Outer, member)                                          \
	({                                                                            \
		static_assert(__is_same(decltype(ptr),                                \
					decltype(&static_cast<Outer *>(nullptr)->member)), \
			      "ep2_container_of: " #ptr " is not a " #Outer "::" #member); \
		reinterpret_cast<Outer *>(reinterpret_cast<char *>(ptr) -             \
					  __builtin_offsetof(Outer, member));         \
	})

/*
 * A negative errno, as a type.  Error{} is never 0: a function that can fail
 * returns ErrorOr<T>, and the errno reaches the kernel only at the C boundary.
 */
struct Error {
	int code; /* negative errno */
	static constexpr Error from_errno(int neg) { return Error{neg}; }
};

constexpr Error EPERM_{-EP2K_EPERM};
constexpr Error ENOENT_{-EP2K_ENOENT};
constexpr Error EINTR_{-EP2K_EINTR};
constexpr Error EBADF_{-EP2K_EBADF};
constexpr Error EAGAIN_{-EP2K_EAGAIN};
constexpr Error ENOMEM_{-EP2K_ENOMEM};
constexpr Error EFAULT_{-EP2K_EFAULT};
constexpr Error EEXIST_{-EP2K_EEXIST};
constexpr Error EINVAL_{-EP2K_EINVAL};
constexpr Error ENOSPC_{-EP2K_ENOSPC};
constexpr Error E2BIG_{-EP2K_E2BIG};
constexpr Error ELOOP_{-EP2K_ELOOP};
constexpr Error ENOTTY_{-EP2K_ENOTTY};
constexpr Error ENODEV_{-EP2K_ENODEV};
constexpr Error ECANCELED_{-EP2K_ECANCELED};

struct Empty {};
constexpr Empty OK{};

template <typename T> struct IsIntegral { static constexpr bool value = false; };
#define EP2_INTEGRAL(T) template <> struct IsIntegral<T> { static constexpr bool value = true; }
EP2_INTEGRAL(bool);
EP2_INTEGRAL(char);
EP2_INTEGRAL(signed char);
EP2_INTEGRAL(unsigned char);
EP2_INTEGRAL(short);
EP2_INTEGRAL(unsigned short);
EP2_INTEGRAL(int);
EP2_INTEGRAL(unsigned int);
EP2_INTEGRAL(long);
EP2_INTEGRAL(unsigned long);
EP2_INTEGRAL(long long);
EP2_INTEGRAL(unsigned long long);
#undef EP2_INTEGRAL

/*
 * An integer value is wrapped explicitly (ErrorOr<int>(n)): otherwise a
 * negative errno from the glue, returned as is, would count as a success.
 */
template <typename T = Empty> class [[nodiscard]] ErrorOr {
public:
	explicit(IsIntegral<T>::value) ErrorOr(T v) : m_value(move(v)), m_error(0) {}
	ErrorOr(Error e) : m_value(), m_error(e.code) {}

	bool is_error() const { return m_error != 0; }
	Error error() const { return Error{m_error}; }
	T &value() { return m_value; }
	T release_value() { return move(m_value); }
	/* To the C boundary: the value, or the negative errno. */
	long to_long() const
	{
		if (m_error)
			return m_error;
		if constexpr (__is_same(T, Empty))
			return 0;
		else
			return static_cast<long>(m_value);
	}

private:
	T m_value;
	int m_error;
};

#define TRY(expr)                                                    \
	({                                                           \
		auto _ep2_res = (expr);                              \
		if (unlikely(_ep2_res.is_error()))                   \
			return _ep2_res.error();                     \
		_ep2_res.release_value();                            \
	})

/*
 * Runs @f at the end of the scope unless disarmed (SerenityOS's
 * ArmedScopeGuard): one rollback for every error path of a setup done in
 * steps, disarmed once the last step succeeded.
 */
template <typename F> class [[nodiscard]] ScopeGuard {
	EP2_NO_COPY(ScopeGuard);
public:
	explicit ScopeGuard(F f) : m_f(move(f)) {}
	~ScopeGuard()
	{
		if (m_armed)
			m_f();
	}
	void disarm() { m_armed = false; }

private:
	F m_f;
	bool m_armed = true;
};

/* A userspace address: never dereferenced by C++, only handed to the glue. */
struct UserPtr {
	u64 addr;
	bool is_null() const { return addr == 0; }
	void __user *get() const { return reinterpret_cast<void *>(static_cast<uintptr_t>(addr)); }
	UserPtr offset(u64 bytes) const { return UserPtr{addr + bytes}; }
};

} // namespace ep2
