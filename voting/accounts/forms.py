from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from voting.accounts.models import ROLE_LABELS, STAFF_ROLES


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"), Length(max=200)])


class BodyForm(FlaskForm):
    name = StringField("机构名称", validators=[DataRequired("请输入机构名称。"), Length(max=120, message="名称不超过120字。")])
    level = SelectField("层级", choices=[("city", "市"), ("county", "县"), ("township", "乡镇"), ("province", "省")])
    parent_id = SelectField("上级机构", coerce=int)


class StaffForm(FlaskForm):
    username = StringField("用户名", validators=[
        DataRequired("请输入用户名。"), Length(min=3, max=64, message="用户名 3 到 64 个字符。"),
        Regexp(r"^[A-Za-z0-9_.-]+$", message="用户名只能包含字母、数字、下划线、点和连字符。")])
    display_name = StringField("姓名或说明", validators=[Length(max=120)])
    role = SelectField("角色", choices=[(r, ROLE_LABELS[r]) for r in STAFF_ROLES])
    body_id = SelectField("所属机构", coerce=int)
    department = StringField("责任单位（仅责任单位账号）", validators=[Length(max=120)])
    password = PasswordField("初始密码", validators=[DataRequired("请输入初始密码。"),
                                                  Length(min=8, max=200, message="密码至少 8 位。")])
