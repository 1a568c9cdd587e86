// SPDX-License-Identifier: GPL-2.0
// ep2bench: a registry filled at start-up by the backend_*.cpp and wl_*.cpp
// files (a static registration object each), read after main() has begun.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace ep2bench {

// T has a std::string name; RANK orders the entries (lower first, ties in
// registration order).
template <class T, int T::*RANK>
class Registry {
public:
	static void add(T x)
	{
		auto &r = items();
		auto at = std::find_if(r.begin(), r.end(), [&](const T &y) { return y.*RANK > x.*RANK; });
		r.insert(at, std::move(x));
	}
	static const std::vector<T> &all() { return items(); }
	static const T *find(const std::string &name)
	{
		for (auto &x : items())
			if (x.name == name)
				return &x;
		return nullptr;
	}

private:
	static std::vector<T> &items()
	{
		static std::vector<T> r;
		return r;
	}
};

} // namespace ep2bench
