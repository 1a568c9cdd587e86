// SPDX-License-Identifier: GPL-2.0
// ep2bench: the backend registry (see poller.h).
#include "poller.h"

#include <stdexcept>

#include "registry.h"
#include "util.h"

namespace ep2bench {

using Backends = Registry<Backend, &Backend::rank>;

BackendReg::BackendReg(Backend b) { Backends::add(std::move(b)); }

std::vector<std::string> all_backends(bool only_default)
{
	std::vector<std::string> v;
	for (auto &b : Backends::all())
		if (b.by_default || !only_default)
			v.push_back(b.name);
	return v;
}

const Backend *find_backend(const std::string &name) { return Backends::find(name); }

std::unique_ptr<Poller> make_poller(const std::string &name, std::string *why)
{
	if (cannot_run(name, {}, why))
		return nullptr;
	try {
		return find_backend(name)->make(why);
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
