"""Names of outcomes, task kinds and levers in English and Chinese, for figures, tables and the dashboard."""

from __future__ import annotations

KIND = {
    "meeting": ("Meetings", "会议"), "travel": ("Travel to meetings", "开会路途"), "app": ("Apps and check-ins", "政务App打卡"),
    "document": ("Documents", "文件"), "inspection": ("Inspection prep", "迎检准备"), "form": ("Forms", "报表"),
    "campaign": ("Campaigns and petitions", "中心工作与信访"), "specialist": ("Specialist tasks", "专业任务"),
    "service": ("Resident service", "为民服务"), "visit": ("Vulnerable-household visits", "走访困难群众"),
    "patrol": ("Grid patrol", "网格巡查"), "trace": ("Trace (proof of work)", "留痕"),
}
OUTCOME = {
    "service_resolved_share": ("Requests resolved within the limit", "按时办结率"),
    "response_days_mean": ("Mean response time", "平均办理天数"),
    "service_backlog_mean": ("Requests waiting (county)", "待办群众诉求"),
    "service_backlog": ("Requests waiting (county)", "待办群众诉求"),
    "exhaustion_mean": ("Mean exhaustion", "平均耗竭度"),
    "burnout_share": ("Share of cadres burned out", "倦怠干部比例"),
    "formalism_share": ("Formalism share of working time", "形式主义工时占比"),
    "overtime_hours_per_cadre_week": ("Overtime per cadre", "人均加班"),
    "meetings_per_village_cadre_week": ("Meetings per village cadre", "村干部会议数"),
    "fake_completion_share": ("Fake completions", "虚假完成比例"),
    "on_time_share": ("Upper tasks on time", "上级任务按时率"),
    "quits": ("Cadres who quit", "离职人数"),
    "complaints": ("Complaints (信访)", "信访投诉"),
    "service_resolved": ("Requests resolved", "办结诉求"),
    "exhaustion_township": ("Exhaustion, township cadres", "乡镇干部耗竭度"),
    "exhaustion_village": ("Exhaustion, village cadres", "村干部耗竭度"),
    "form_app_hours_village_day": ("Forms and apps, village cadre", "村干部报表与App工时"),
    "burnout_township": ("Burned out, township cadres", "乡镇干部倦怠比例"),
    "burnout_village": ("Burned out, village cadres", "村干部倦怠比例"),
    "visit_coverage": ("Vulnerable-household visits done", "困难群众走访完成率"),
    "incidents": ("Incidents from missed visits", "漏访事件"),
    "problems_found": ("Problems found on patrol", "巡查发现问题"),
    "tasks_returned": ("Tasks returned by the duty list", "按清单退回事项"),
    "forms_secretary_day": ("Forms per village secretary", "村书记日均填表数"),
    "forms_secretary_busy_day": ("Forms on a secretary's busy day", "村书记忙日填表数"),
    "burnout_none_share": ("Cadres not burned out", "无倦怠干部比例"),
    "burnout_mild_share": ("Cadres mildly burned out", "轻度倦怠干部比例"),
    "burnout_moderate_share": ("Cadres moderately burned out", "中度倦怠干部比例"),
    "burnout_severe_share": ("Cadres severely burned out", "重度倦怠干部比例"),
    "duty_basic_share": ("Duty list: basic duties", "清单内基本履职事项占比"),
    "duty_cooperation_share": ("Duty list: cooperation duties", "清单内配合履职事项占比"),
    "duty_returned_share": ("Duty list: returned upward", "清单外退回事项占比"),
    "requests_per_village_week": ("Resident requests per village", "每村群众诉求"),
    "specialist_hours_village_month": ("Specialist-task hours per village", "每村专业任务工时"),
    "proof_of_work_share": ("Proof-of-work share of working time", "痕迹工作工时占比"),
    "upper_task_share": ("Upper-level work share of working time", "上级任务工时占比"),
    "cost_yuan_year": ("Cost of staff and purchased services", "人员与购买服务成本"),
    "requests_given_up": ("Requests given up after waiting too long", "久拖未办放弃的诉求"),
    "service_hall_hours_township_day": ("Service-hall hours per township cadre", "乡镇干部便民服务中心值班工时"),
}
# The unit of every outcome and time-series column drawn on an axis: (English, Chinese).
UNIT = {
    "service_resolved_share": ("share", "比例"), "response_days_mean": ("days", "天"),
    "service_backlog_mean": ("requests", "件"), "service_backlog": ("requests", "件"),
    "exhaustion_mean": ("0-1", "0-1"), "exhaustion_township": ("0-1", "0-1"), "exhaustion_village": ("0-1", "0-1"),
    "burnout_share": ("share", "比例"), "burnout_township": ("share", "比例"), "burnout_village": ("share", "比例"),
    "formalism_share": ("share", "比例"), "overtime_hours_per_cadre_week": ("hours/week", "小时/周"),
    "meetings_per_village_cadre_week": ("meetings/week", "次/周"), "fake_completion_share": ("share", "比例"),
    "on_time_share": ("share", "比例"), "quits": ("cadres", "人"), "complaints": ("complaints", "件"),
    "service_resolved": ("requests/day", "件/天"), "form_app_hours_village_day": ("hours/workday", "小时/工作日"),
    "visit_coverage": ("share", "比例"), "incidents": ("incidents", "起"), "problems_found": ("problems", "个"),
    "tasks_returned": ("tasks", "项"), "hours_per_cadre": ("hours/day", "小时/天"), "exhaustion_share": ("0-1", "0-1"), "day": ("day", "天"),
    "hours_cadre_day": ("hours per cadre-day", "小时/人·日"),
    "forms_secretary_day": ("forms/workday", "份/工作日"), "forms_secretary_busy_day": ("forms/workday", "份/工作日"),
    "burnout_none_share": ("share", "比例"), "burnout_mild_share": ("share", "比例"),
    "burnout_moderate_share": ("share", "比例"), "burnout_severe_share": ("share", "比例"),
    "duty_basic_share": ("share", "比例"), "duty_cooperation_share": ("share", "比例"),
    "duty_returned_share": ("share", "比例"), "requests_per_village_week": ("requests/week", "件/周"),
    "specialist_hours_village_month": ("hours/month", "小时/月"), "proof_of_work_share": ("share", "比例"),
    "upper_task_share": ("share", "比例"), "cost_yuan_year": ("yuan/year", "元/年"),
    "requests_given_up": ("requests", "件"), "service_hall_hours_township_day": ("hours/workday", "小时/工作日"),
}
SHARES = frozenset(k for k, (u, _) in UNIT.items() if u in ("share", "0-1"))
# Scenario fields often swept that are not levers (levers are named in sim/presentation/texts.py).
FIELD = {
    "scenario": ("Scenario", "情景"), "displacement": ("Displaced work", "转移负担比例"),
    "n_townships": ("Townships", "乡镇数"), "villages_per_township": ("Villages per township", "每乡镇村数"),
    "village_cadres": ("Cadres per village", "每村干部数"), "township_cadres": ("Cadres per township", "每乡镇干部数"),
    "days": ("Days run", "模拟天数"), "policy_start_day": ("Reform day", "改革实施日"),
    "warmup_days": ("Warm-up days", "预热天数"), "burnout_threshold": ("Burnout threshold", "倦怠阈值"),
    "accountability_base": ("Accountability intensity", "问责强度"), "amplification": ("Amplification", "层层加码系数"),
    "fake_propensity": ("Propensity to fake", "虚假完成倾向"), "service_orientation": ("Service orientation", "服务导向"),
    "regular_hours": ("Regular hours", "正常工时"), "overtime_cap": ("Overtime cap", "加班上限"),
    "exhaustion_gain": ("Exhaustion gain", "耗竭增长率"), "recovery": ("Recovery", "恢复率"),
    "form_duplicate_share": ("Duplicate forms", "重复报表比例"),
    "meetings_per_dept_week": ("Meetings per department", "每部门会议数"),
    "documents_per_dept_week": ("Documents per department", "每部门文件数"),
    "forms_per_dept_week": ("Forms per department", "每部门报表数"),
    "inspections_per_dept_week": ("Inspections per department", "每部门检查数"),
    "requests_per_household_year": ("Requests per household", "每户诉求数"),
    "quit_rate": ("Quit rate", "离职率"), "secondment_share": ("Seconded township cadres", "借调乡镇干部比例"),
}
TEXT = {
    "day": ("Day of the run", "模拟日"), "hours_per_cadre": ("Hours per cadre at work, 7-day mean", "人均每日工时，7日均值"),
    "reform_day": ("Reform day", "改革实施日"), "before": ("Before", "改革前"), "after": ("After", "改革后"),
    "time_use": ("Time use by kind", "分类工时"), "burnout": ("Exhaustion and burnout", "耗竭与倦怠"),
    "service": ("Service to residents", "为民服务"), "difference": ("Difference from", "相对于"),
    "exhaustion_share": ("Exhaustion, or share burned out", "耗竭度或倦怠比例"),
}


def name(key: str, lang: str = "en") -> str:
    """The name of an outcome, kind, field or text key in `lang` ('en' or 'zh'), without its unit; unknown keys
    read as words ('n_things' -> 'n things'), never as a raw field name."""
    i = 1 if lang == "zh" else 0
    if key.startswith("hours_") and key.endswith("_cadre_day"):
        return name(key.removeprefix("hours_").removesuffix("_cadre_day"), lang)
    for table in (OUTCOME, KIND, TEXT, FIELD):
        if key in table:
            return table[key][i]
    return key.replace("_", " ")


def unit(key: str, lang: str = "en") -> str:
    """The unit of an outcome or column in `lang` ('' if it has none or is unknown)."""
    if key.startswith("hours_") and key.endswith("_cadre_day"):
        key = "hours_cadre_day"
    return UNIT[key][1 if lang == "zh" else 0] if key in UNIT else ""


def with_unit(text: str, u: str, lang: str = "en") -> str:
    """'text (unit)', with full-width brackets in Chinese."""
    if not u:
        return text
    return f"{text}（{u}）" if lang == "zh" else f"{text} ({u})"


def label(key: str, lang: str = "en") -> str:
    """The label of an outcome, kind or text key in `lang`, with its unit when it has one."""
    return with_unit(name(key, lang), unit(key, lang), lang)
