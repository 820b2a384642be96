"""deck_server.visitors: how many kernels a visitor may hold, and when a kernel goes."""

import pytest

from deck_server.visitors import Limits, PageRequest, Visitors, refusal_page

LIMITS = Limits(total=3, per_visitor=2, never_connected_s=60, left_s=30)


def serve(visitors: Visitors, visitor: str, kernel: str, now: float = 0, live=None) -> str | None:
    """One page request, as kernels.py makes it: admitted or not, its kernel booked, sent."""
    request = PageRequest(visitor)
    live = live if live is not None else set(visitors.kernels) | {kernel}
    reason = visitors.admit(request, live, now)
    if reason is None:
        visitors.handed(kernel, visitor, now)
        request.kernels.append(kernel)
        visitors.finished(request, now)
    return reason


def test_one_address_may_hold_per_visitor_kernels():
    visitors = Visitors(LIMITS)
    assert serve(visitors, "10.0.0.1", "a") is None
    assert serve(visitors, "10.0.0.1", "b") is None
    assert "2 demo pages are already open from your address" in serve(visitors, "10.0.0.1", "c")
    assert serve(visitors, "10.0.0.2", "c") is None  # someone else may


def test_one_address_may_open_pages_per_minute_pages_a_minute():
    """Within its share, a client that drops each page and asks again would keep the cores
    busy starting kernels (the soak): an address gets pages_per_minute a minute."""
    visitors = Visitors(Limits(total=10, per_visitor=2, pages_per_minute=3))
    for second, kernel in enumerate("abc"):
        assert serve(visitors, "10.0.0.1", kernel, now=second, live={kernel}) is None
    refused = serve(visitors, "10.0.0.1", "d", now=30, live={"d"})
    assert "3 demo pages were opened from your address in the last minute" in refused
    assert serve(visitors, "10.0.0.2", "d", now=30, live={"d"}) is None  # others may
    assert serve(visitors, "10.0.0.1", "e", now=60.5, live={"e"}) is None  # a minute later
    assert Limits.from_environment({"DECK_PAGES_PER_MINUTE_PER_ADDRESS": "6"}).pages_per_minute == 6


def test_requests_arriving_together_cannot_all_slip_in():
    """Admitted requests hold their seats while their pages render: a burst of GETs from
    one client gets no more than its share."""
    visitors = Visitors(LIMITS)
    burst = [PageRequest("10.0.0.1") for _ in range(4)]
    admitted = [visitors.admit(request, live=set()) is None for request in burst]
    assert admitted == [True, True, False, False]
    visitors.finished(burst[0], now=0)  # failed before booking a kernel: its seat is free
    assert visitors.admit(PageRequest("10.0.0.1"), live=set()) is None


def test_the_class_is_full_at_total_kernels():
    visitors = Visitors(LIMITS)
    for kernel, address in [("a", "1"), ("b", "2"), ("c", "3")]:
        assert serve(visitors, address, kernel) is None
    assert "The class is full" in serve(visitors, "4", "d", live={"a", "b", "c"})
    # a kernel shut down (culled, died) frees its seat
    assert serve(visitors, "4", "d", live={"a", "b", "d"}) is None


def test_a_kernel_nobody_connects_to_goes_after_a_minute():
    visitors = Visitors(LIMITS)
    serve(visitors, "1", "curl")
    serve(visitors, "2", "browser")
    visitors.connected("browser")
    assert visitors.due(now=59, live={"curl", "browser"}) == []
    assert visitors.due(now=61, live={"curl", "browser"}) == ["curl"]


def test_the_time_to_connect_counts_from_when_the_page_was_sent():
    visitors = Visitors(LIMITS)
    request = PageRequest("1")
    assert visitors.admit(request, live=set()) is None
    visitors.handed("lecture", "1", now=0)
    request.kernels.append("lecture")
    assert visitors.due(now=200, live={"lecture"}) == []  # its page is still running
    visitors.finished(request, now=50)  # a page that ran for 50 s
    assert visitors.due(now=100, live={"lecture"}) == []
    assert visitors.due(now=111, live={"lecture"}) == ["lecture"]


def test_a_kernel_whose_visitor_left_goes_unless_they_come_back():
    visitors = Visitors(LIMITS)
    serve(visitors, "1", "k")
    visitors.connected("k")
    visitors.connected("k")  # two tabs of the same page's kernel: both must leave
    visitors.disconnected("k", now=10)
    assert visitors.due(now=100, live={"k"}) == []
    visitors.disconnected("k", now=100)
    assert visitors.due(now=120, live={"k"}) == []
    visitors.connected("k")  # a dropped connection came back within left_s
    assert visitors.due(now=200, live={"k"}) == []
    visitors.disconnected("k", now=200)
    assert visitors.due(now=231, live={"k"}) == ["k"]


def test_a_page_no_browser_showed_keeps_its_seat_a_while_longer_each_time():
    """A script that asks for pages and drops them got a new kernel (seconds of CPU) each
    time one of its seats freed (the soak: the class's slider answers ×4 slower at the 95th
    percentile in the 15 s after each). Its unused pages keep their seats: 60 s, then twice
    as long for each further one within the hour."""
    visitors = Visitors(Limits(total=10, per_visitor=1, never_connected_s=60, unused_hold_s=60))
    assert serve(visitors, "script", "a", now=0) is None
    assert visitors.due(now=61, live={"a"}) == ["a"]
    visitors.shut_down("a", now=61)
    refused = serve(visitors, "script", "b", now=62, live=set())
    assert "never shown (1)" in refused
    assert serve(visitors, "10.0.0.2", "b", now=62, live=set()) is None  # others may
    assert serve(visitors, "script", "c", now=121.5, live={"b"}) is None  # held 60 s
    visitors.shut_down("c", now=190)  # unused again: held 120 s
    assert serve(visitors, "script", "d", now=300, live={"b"}) is not None
    assert serve(visitors, "script", "d", now=310.5, live={"b"}) is None
    visitors.shut_down("d", now=380)  # and again: 240 s
    assert serve(visitors, "script", "e", now=610, live={"b"}) is not None
    assert serve(visitors, "script", "e", now=620.5, live={"b"}) is None
    assert Limits.from_environment({"DECK_UNUSED_HOLD_S": "5"}).unused_hold_s == 5


def test_a_page_a_browser_showed_frees_its_seat_when_it_goes():
    visitors = Visitors(Limits(total=10, per_visitor=1, left_s=30))
    serve(visitors, "student", "a", now=0)
    visitors.connected("a")
    visitors.disconnected("a", now=10)
    assert visitors.due(now=41, live={"a"}) == ["a"]
    visitors.shut_down("a", now=41)
    assert serve(visitors, "student", "b", now=42, live=set()) is None
    # a page whose kernel went while it was still running (it died) holds no seat either
    request = PageRequest("student2")
    assert visitors.admit(request, live=set(), now=50) is None
    visitors.handed("c", "student2", now=50)
    request.kernels.append("c")
    visitors.shut_down("c", now=55)
    visitors.finished(request, now=56)  # its render failed
    assert serve(visitors, "student2", "d", now=57, live=set()) is None


def test_the_refusal_page_escapes_and_explains():
    page = refusal_page("<b>full</b>")
    assert "&lt;b&gt;full&lt;/b&gt;" in page and "Try again" in page


def test_limits_from_the_environment():
    limits = Limits.from_environment({"DECK_MAX_KERNELS": "8", "DECK_LEFT_S": "2.5"})
    assert (limits.total, limits.left_s, limits.per_visitor) == (8, 2.5, Limits().per_visitor)
    with pytest.raises(ValueError, match="DECK_MAX_KERNELS='many' is not a number"):
        Limits.from_environment({"DECK_MAX_KERNELS": "many"})


def test_a_page_spends_its_reserve_at_once_then_its_messages_wait_for_the_pace():
    visitors = Visitors(Limits(messages_per_s=10, message_reserve=50))
    serve(visitors, "10.0.0.1", "a", now=0)
    assert [visitors.message_wait_s("a", 1, now=0) for _ in range(50)] == [0.0] * 50
    assert visitors.message_wait_s("a", 1, now=0) == pytest.approx(0.1)
    assert visitors.message_wait_s("a", 1, now=0.1) == 0.0  # refilled at 10 a second
    assert visitors.message_wait_s("a", 3, now=0.1) == pytest.approx(0.3)  # a dearer one
    # the reserve comes back, but no further than full
    assert visitors.message_wait_s("a", 50, now=100) == 0.0
    assert visitors.message_wait_s("a", 1, now=100) > 0
    # a message dearer than the whole reserve waits for it full, rather than for ever
    assert visitors.message_wait_s("a", 10**6, now=1000) == 0.0


def test_kernels_not_handed_to_a_visitor_are_not_paced():
    visitors = Visitors(Limits(messages_per_s=1, message_reserve=1))
    assert all(visitors.message_wait_s("pool kernel", 5, now=0) == 0 for _ in range(10))


def test_each_kernel_has_its_own_pace():
    visitors = Visitors(Limits(messages_per_s=1, message_reserve=2))
    serve(visitors, "10.0.0.1", "a")
    serve(visitors, "10.0.0.1", "b")
    assert visitors.message_wait_s("a", 2, now=0) == 0
    assert visitors.message_wait_s("a", 1, now=0) > 0
    assert visitors.message_wait_s("b", 2, now=0) == 0
