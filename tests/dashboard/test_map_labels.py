"""The map's labels: on the whole-country built-in (26 regions, several at one city's
coordinates) no two labels overlap, none leaves the frame, none covers another region's
point, and the regions with most people out are the ones labelled."""

from __future__ import annotations

from qantar.dashboard.views import LABEL_CHAR_PX, LABEL_HEIGHT_PX, map_frame, outline_rings, place_labels
from qantar.scenario.load import load_scenario


def boxes(labels, names):
    out = []
    for k, x, y, align in labels:
        width = LABEL_CHAR_PX * len(names[k])
        left = x if align == "left" else x - width if align == "right" else x - width / 2
        out.append((left, y - LABEL_HEIGHT_PX / 2, left + width, y + LABEL_HEIGHT_PX / 2))
    return out


def test_the_built_ins_labels_do_not_overlap_and_the_busiest_regions_have_one():
    regions = load_scenario("kazakhstan-2022").regions
    names = [r.name for r in regions]
    lons, lats = [r.lon for r in regions], [r.lat for r in regions]
    (ring_x, ring_y), *_ = outline_rings("kazakhstan.geojson")
    frame = (430, 290)
    x_range, y_range, per_lon, per_lat = map_frame(lons + list(ring_x), lats + list(ring_y), frame)
    xs = [(x - x_range[0]) * per_lon for x in lons]
    ys = [(y - y_range[0]) * per_lat for y in lats]
    busiest = ["Almaty", "Zhanaozen", "Aktau", "Aktobe", "Shymkent", "Nur-Sultan"]
    priority = [(n in busiest, r.population) for n, r in zip(names, regions)]
    labels = place_labels(names, xs, ys, frame, priority)
    drawn = boxes(labels, names)
    for i, a in enumerate(drawn):
        assert a[0] >= 0 and a[1] >= 0 and a[2] <= frame[0] and a[3] <= frame[1], names[labels[i][0]]
        for j, b in enumerate(drawn[:i]):
            assert a[2] < b[0] or a[0] > b[2] or a[3] < b[1] or a[1] > b[3], (names[labels[i][0]], names[labels[j][0]])
        for k in range(len(names)):
            if k != labels[i][0]:
                assert not (a[0] < xs[k] < a[2] and a[1] < ys[k] < a[3]), (names[labels[i][0]], names[k])
    labelled = {names[k] for k, *_ in labels}
    assert set(busiest) <= labelled
    assert len(labelled) >= 18  # most of the 26 (the rest keep their hover)
    assert len(labelled) < len(names)  # a real check: not every label fits, so some were left out
