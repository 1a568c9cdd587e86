// SPDX-License-Identifier: GPL-2.0
// ep2bench: the ADD/MOD/DEL cycles of the ctl workloads (1 ctl, 11 ctl-batch).
#pragma once

#include <algorithm>
#include <cstring>
#include <vector>

#include "options.h"
#include "timing.h"
#include "util.h"
#include "workload.h"

namespace ep2bench {

/*
 * One sample: an untimed warm-up cycle over min(n, warm_n) fds, then whole
 * cycles over the n fds until the time budget is used (at least one).
 * phase(ph, m) runs phase ph (0 ADD, 1 MOD, 2 DEL) over the first m fds,
 * appends the per-call time of each chunk it times to per[ph], and returns
 * 0 or -errno.  The figure of each phase is its median chunk.
 */
template <class Phase>
Sample ctl_cycles(int n, int warm_n, std::vector<double> (&per)[3], Phase &&phase)
{
	uint64_t budget = ms_ticks(O.budget_ms);
	uint64_t start = ticks();
	int err = 0;
	for (int warm = 1; !err; warm = 0) {
		int m = warm ? std::min(n, warm_n) : n;
		for (int ph = 0; ph < 3 && !err; ph++)
			err = phase(ph, m);
		if (err)
			break;
		if (warm) {
			for (auto &v : per)
				v.clear();
			start = ticks();
			continue;
		}
		if (ticks() - start >= budget)
			break;
	}
	if (err)
		return Sample::na(strf("error %s", strerror(-err)));
	return {1e9 / median(per[0]), 1e9 / median(per[1]), 1e9 / median(per[2])};
}

} // namespace ep2bench
