// SPDX-License-Identifier: GPL-2.0
// ep2bench: the backend registry (see poller.h).
#include "poller.h"

#include <algorithm>
#include <stdexcept>

#include "util.h"

namespace ep2bench {

namespace {
std::vector<Backend> &registry()
{
	static std::vector<Backend> r;
	return r;
}
} // namespace

BackendReg::BackendReg(Backend b)
{
	auto &r = registry();
	auto at = std::find_if(r.begin(), r.end(), [&](const Backend &x) { return x.rank > b.rank; });
	r.insert(at, std::move(b));
}

std::vector<std::string> all_backends()
{
	std::vector<std::string> v;
	for (auto &b : registry())
		v.push_back(b.name);
	return v;
}

const Backend *find_backend(const std::string &name)
{
	for (auto &b : registry())
		if (b.name == name)
			return &b;
	return nullptr;
}

std::unique_ptr<Poller> make_poller(const std::string &name, std::string *why)
{
	const Backend *b = find_backend(name);
	if (!b) {
		*why = "unknown backend";
		return nullptr;
	}
	if (b->available && !b->available(why))
		return nullptr;
	try {
		return b->make(why);
	} catch (const std::exception &e) {
		*why = strf("cannot create instance: %s", e.what());
	}
	return nullptr;
}

bool cannot_run(const std::string &name, const std::vector<Feature> &need, std::string *why)
{
	const Backend *b = find_backend(name);
	if (!b) {
		*why = "unknown backend";
		return true;
	}
	if (b->available && !b->available(why))
		return true;
	for (Feature f : need) {
		auto it = b->lacks.find(f);
		if (it != b->lacks.end()) {
			*why = it->second;
			return true;
		}
	}
	return false;
}

} // namespace ep2bench
