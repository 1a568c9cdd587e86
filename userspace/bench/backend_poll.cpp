// SPDX-License-Identifier: GPL-2.0
// ep2bench backend "poll": poll(2) over the whole set; the interest set
// lives in userspace and is passed on every call.
#include <cerrno>
#include <vector>

#include <poll.h>

#include "poller.h"

namespace ep2bench {
namespace {

struct PollPoller final : Poller {
	std::vector<pollfd> pfds;
	std::vector<uint64_t> datas;
	std::vector<int> slot; // fd -> index in pfds, -1 if absent

	static constexpr uint32_t MODE_BITS = EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE | EPOLLWAKEUP;

	int add(int fd, uint32_t e, uint64_t d) override
	{
		if (e & MODE_BITS)
			return -EINVAL;
		if (size_t(fd) >= slot.size())
			slot.resize(size_t(fd) + 1024, -1);
		if (slot[size_t(fd)] >= 0)
			return -EEXIST;
		slot[size_t(fd)] = int(pfds.size());
		pfds.push_back(pollfd{fd, short(e & 0xffff), 0});
		datas.push_back(d);
		return 0;
	}
	int mod(int fd, uint32_t e, uint64_t d) override
	{
		if (e & MODE_BITS)
			return -EINVAL;
		if (size_t(fd) >= slot.size() || slot[size_t(fd)] < 0)
			return -ENOENT;
		int i = slot[size_t(fd)];
		pfds[size_t(i)].events = short(e & 0xffff);
		datas[size_t(i)] = d;
		return 0;
	}
	int del(int fd) override
	{
		if (size_t(fd) >= slot.size() || slot[size_t(fd)] < 0)
			return -ENOENT;
		size_t i = size_t(slot[size_t(fd)]), last = pfds.size() - 1;
		if (i != last) {
			pfds[i] = pfds[last];
			datas[i] = datas[last];
			slot[size_t(pfds[i].fd)] = int(i);
		}
		pfds.pop_back();
		datas.pop_back();
		slot[size_t(fd)] = -1;
		return 0;
	}
	int wait(Ev *evs, int max, int t) override
	{
		nsys++;
		int r = poll(pfds.data(), pfds.size(), t);
		if (r < 0)
			return errno == EINTR ? 0 : -errno;
		int n = 0;
		for (size_t i = 0; i < pfds.size() && n < r && n < max; i++) {
			if (pfds[i].revents) {
				evs[n].events = uint32_t(uint16_t(pfds[i].revents));
				evs[n].data.u64 = datas[i];
				n++;
			}
		}
		return n;
	}
};

const BackendReg reg{{
	"poll", 40, make_instance<PollPoller>,
	{
		{Feature::Registration, "no registration in poll(2)"},
		{Feature::ET, "no edge-triggered mode"},
		{Feature::Exclusive, "no EPOLLEXCLUSIVE"},
		{Feature::Shared, "an instance serves one thread"},
	},
	{},
}};

} // namespace
} // namespace ep2bench
