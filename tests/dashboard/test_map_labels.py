"""The map's labels: on the whole-country built-in (26 regions, several at one city's
coordinates) no two labels overlap, none leaves the frame, none covers another region's
point, and the regions with most people out are the ones labelled."""

from __future__ import annotations

import inspect

from qantar.dashboard.views import label_box, map_figure, map_layout, outline_rings
from qantar.scenario.load import load_scenario


def test_the_built_ins_labels_do_not_overlap_and_the_busiest_regions_have_one():
    regions = load_scenario("kazakhstan-2022").regions
    names = [r.name for r in regions]
    busiest = ["Almaty", "Zhanaozen", "Aktau", "Aktobe", "Shymkent", "Nur-Sultan"]
    defaults = inspect.signature(map_figure).parameters  # the size the pages draw the map at
    layout = map_layout(regions, outline_rings("kazakhstan.geojson"),
                        [(n in busiest, r.population) for n, r in zip(names, regions)],
                        defaults["width"].default, defaults["height"].default)
    frame, xs, ys, labels = layout["frame"], layout["xs"], layout["ys"], layout["labels"]
    drawn = [label_box(names[k], x, y, align) for k, x, y, align in labels]
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
