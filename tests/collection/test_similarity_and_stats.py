"""Fuzzy matching of Chinese text; the statistics page and its SVG chart."""
import pytest

from tests.collection.conftest import submit
from voting.collection import charts, similarity


def test_bigrams_of_chinese_and_latin():
    assert similarity.bigrams("幼儿园") == {"幼儿", "儿园"}
    assert similarity.bigrams("修 G105 国道！") == {"修", "g105", "国道"}
    assert similarity.bigrams("") == set()


@pytest.mark.parametrize("a, b, related", [
    ("东湖镇新建幼儿园", "希望在东湖建一所公办幼儿园", True),
    ("开通城区至西岭乡公交线路", "希望开通去西岭乡的公交车", True),
    ("老旧小区加装电梯", "老小区加装电梯补贴", True),
    ("东湖镇新建幼儿园", "北河镇主街积水整治", False),
    ("建议解决问题", "希望政府解决群众问题", False),  # only filler words in common
])
def test_related_texts_score_higher(a, b, related):
    score = similarity.similarity(a, b)
    assert (score >= 0.3) is related, score


def test_rank_orders_best_first_and_limits():
    titles = ["北河镇主街积水整治", "东湖镇公办幼儿园", "城东新建公办幼儿园", "东湖镇新建公办幼儿园"]
    ranked = similarity.rank("东湖镇新建幼儿园", titles, key=str, threshold=0.2, limit=2)
    assert [t for _, t in ranked] == ["东湖镇新建公办幼儿园", "东湖镇公办幼儿园"]
    assert ranked[0][0] > ranked[1][0]


def test_statistics_page_has_a_chart_per_dimension(app, secretariat_client, station):
    submit(station)
    submit(station, title="北河镇主街积水整治", category="交通", township="北河镇",
           description="北河镇主街每逢下雨积水严重，需要改造。")
    response = secretariat_client.get("/collection/stats")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<svg") == 4
    for heading in ("按联络站", "按类别", "按乡镇（街道）", "按办理状态"):
        assert heading in page
    assert "东湖镇代表联络站：2" in page and "交通：1" in page and "北河镇：1" in page
    assert "共收到建议 <strong>2</strong> 条" in page


def test_chart_escapes_labels():
    svg = str(charts.bar_chart([("<b>x</b>", 3), ("乙", 1)], "测试"))
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert 'width="520"' in svg  # the largest bar is full width
    assert "暂无数据" in str(charts.bar_chart([], "空"))
