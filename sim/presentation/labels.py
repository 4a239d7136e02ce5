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
    "service_resolved_share": ("Requests resolved within the limit (share)", "按时办结率"),
    "response_days_mean": ("Mean response time (days)", "平均办理天数"),
    "service_backlog_mean": ("Requests waiting (county)", "待办群众诉求"),
    "service_backlog": ("Requests waiting (county)", "待办群众诉求"),
    "exhaustion_mean": ("Mean exhaustion (0-1)", "平均耗竭度"),
    "burnout_share": ("Share of cadres burned out", "倦怠干部比例"),
    "formalism_share": ("Formalism share of working time", "形式主义工时占比"),
    "overtime_hours_per_cadre_week": ("Overtime hours per cadre a week", "人均每周加班小时"),
    "meetings_per_village_cadre_week": ("Meetings per village cadre a week", "村干部每周会议数"),
    "fake_completion_share": ("Fake completions (share)", "虚假完成比例"),
    "on_time_share": ("Upper tasks on time (share)", "上级任务按时率"),
    "quits": ("Cadres who quit", "离职人数"),
    "complaints": ("Complaints (信访)", "信访投诉"),
    "service_resolved": ("Requests resolved a day", "每日办结诉求"),
    "exhaustion_township": ("Exhaustion, township cadres", "乡镇干部耗竭度"),
    "exhaustion_village": ("Exhaustion, village cadres", "村干部耗竭度"),
}
TEXT = {
    "day": ("Day", "天"), "hours_per_cadre": ("Hours per cadre per day (7-day mean)", "人均每日工时（7日均值）"),
    "reform_day": ("Reform day", "改革实施日"), "before": ("Before", "改革前"), "after": ("After", "改革后"),
    "time_use": ("Time use by kind", "分类工时"), "burnout": ("Exhaustion and burnout", "耗竭与倦怠"),
    "service": ("Service to residents", "为民服务"), "difference": ("Difference from", "相对于"),
}


def label(key: str, lang: str = "en") -> str:
    """The label of an outcome, kind or text key in `lang` ('en' or 'zh'); the key itself if unknown."""
    i = 1 if lang == "zh" else 0
    for table in (OUTCOME, KIND, TEXT):
        if key in table:
            return table[key][i]
    return key
