"""What the fields of the ballot editor and of the campaign form mean is decided once
(voting/rules/forms.py): the same choices give the same rule."""
from werkzeug.datastructures import MultiDict

from voting.appraisals.campaigns import rule_from_form as campaign_rule
from voting.ballots.editor import rule_from_form as editor_rule
from voting.rules import APPRAISAL, rule_from_json


def test_a_rate_line_means_the_same_on_both_forms():
    editor = editor_rule(MultiDict({"mode": "rate", "threshold_fraction": "2/3", "threshold_inclusive": "1",
                                    "threshold_base": "item_valid"}), APPRAISAL)
    campaign = campaign_rule({"mode": "rate", "fraction": "2/3", "inclusive": "1", "base": "item_valid"})
    assert editor == campaign
    assert rule_from_json(APPRAISAL, editor).to_json()["threshold"] == {"fraction": "2/3", "inclusive": True,
                                                                        "base": "item_valid"}


def test_weighted_fields_mean_the_same_on_both_forms():
    editor = editor_rule(MultiDict({"mode": "weighted", "weights": "满意=100 基本满意=75 不满意=0",
                                    "bands": "90=优秀 75=称职", "below": "不称职"}), APPRAISAL)
    campaign = campaign_rule({"mode": "weighted", "weight_satisfied": "100", "weight_basically_satisfied": "75",
                              "weight_unsatisfied": "0", "bands": "90 优秀\n75 称职", "below": "不称职"})
    assert rule_from_json(APPRAISAL, editor).to_json() == rule_from_json(APPRAISAL, campaign).to_json()


def test_an_empty_rate_line_keeps_the_default():
    assert campaign_rule({"mode": "rate", "fraction": ""}) == {"mode": "rate"}
    assert rule_from_json(APPRAISAL, {"mode": "rate"}).to_json()["threshold"]["fraction"] == "4/5"
