"""Every string of the teaching dashboard in English and Chinese: controls, charts, levers, presets, the lesson."""

from __future__ import annotations

from typing import Any

from sim.presentation.labels import label as _model_label

LANGS = ("zh", "en")

# key: (English, Chinese)
UI: dict[str, tuple[str, str]] = {
    "title": ("A thousand lines above, one needle below", "上头千条线，下面一根针"),
    "subtitle": ("Grassroots burden-reduction classroom simulator", "基层减负课堂模拟"),
    "language": ("Language", "语言"),
    "controls": ("Run", "运行"),
    "play": ("▶ Play", "▶ 播放"),
    "pause": ("❚❚ Pause", "❚❚ 暂停"),
    "step": ("Step +1 day", "单步 +1 天"),
    "step_week": ("+7 days", "+7 天"),
    "reset": ("⟲ Reset", "⟲ 重置"),
    "speed": ("Days per frame", "每帧天数"),
    "day_of": ("Day {day} of {days}", "第 {day} 天 / 共 {days} 天"),
    "before_reform": ("before the reform (reform day {day})", "改革前（第 {day} 天实施）"),
    "after_reform": ("reform in force since day {day}", "改革已实施（自第 {day} 天起）"),
    "no_reform": ("Baseline: no reform in force", "基线：未实施任何改革"),
    "same_runs": ("Both runs have the same settings: pick a reform preset (or move a lever) to see the curves part.",
                  "两组设置相同：请选择一个改革预设（或调整措施），才能看到曲线分开。"),
    "finished": ("run finished", "运行结束"),
    "scenario": ("Scenario", "情景"),
    "preset": ("Preset scenario", "预设情景"),
    "mode": ("View", "视图"),
    "mode_single": ("One run", "单一情景"),
    "mode_compare": ("Side by side: two presets, one seed", "并排对比：两个情景，同一随机种子"),
    "compare_with": ("Compare with (dashed)", "对比情景（虚线）"),
    "headline_levers": ("Headline levers", "主要措施"),
    "more_levers": ("More levers", "更多措施"),
    "source": ("Source", "来源"),
    "files": ("Save, load, data", "保存、载入与数据"),
    "save_toml": ("Save settings as a scenario (TOML)", "当前设置另存为情景（TOML）"),
    "load_toml": ("Load a scenario (TOML): choose a file", "载入情景（TOML）：选择文件"),
    "csv": ("Data of this run (CSV)", "本次模拟数据（CSV）"),
    "loaded_file": ("File: {name}", "文件：{name}"),
    "kpi_not_yet": ("from day 1", "第1天起"),
    "cadres_n": ("{n} cadres", "{n} 人"),
    "levers_short": ("Levers on", "已启用措施"),
    "days": ("Days to run", "模拟天数"),
    "policy_start_day": ("Reform day", "改革实施日"),
    "seed": ("Random seed", "随机种子"),
    "n_townships": ("Townships in the county", "县内乡镇数"),
    "levers": ("Reform levers (switch on at the reform day)", "减负措施（改革实施日起生效）"),
    "levers_note": (
        "Moving a lever re-runs the same seed up to today, so its effect shows at once.",
        "调整措施后，用同一随机种子重算到当前日，效果立即可见。",
    ),
    "lesson": ("Guided lesson", "课堂导学"),
    "lesson_step": ("Step {i} of {n}", "第 {i} 步 / 共 {n} 步"),
    "lesson_setup": ("Set up this step", "载入本步设置"),
    "lesson_prev": ("◀ Back", "◀ 上一步"),
    "lesson_next": ("Next ▶", "下一步 ▶"),
    "lesson_watch": ("Watch", "观察"),
    "lesson_ask": ("Ask the class", "课堂提问"),
    "lesson_read": ("Text to read out, what to watch, a question", "讲稿、观察要点与课堂提问"),
    "export": ("Export charts (PNG)", "导出图表（PNG）"),
    "export_all": ("All charts, one slide (PNG)", "全部图表合成一页（PNG）"),
    "export_zip": ("Each chart separately (ZIP of PNGs)", "各图单独导出（PNG 压缩包）"),
    "baseline": ("Baseline (no reform)", "基线（无改革）"),
    "reform": ("With reform", "实施改革"),
    "this_run": ("This run", "本次模拟"),
    "day": ("Day", "天"),
    "reform_day": ("Reform day", "改革实施日"),
    "time_use": ("Where the working day goes", "一天的工时去哪了"),
    "hours_per_cadre": ("Hours per cadre per day (7-day mean)", "人均每日工时（7日均值）"),
    "formalism": ("Formalism (hatched)", "形式主义（斜线）"),
    "formalism_of": ("Formalism: {name}", "形式主义：{name}"),
    "burnout": ("Exhaustion and burnout", "耗竭与倦怠"),
    "share": ("Share", "比例"),
    "exhaustion_axis": ("Exhaustion", "耗竭度"),
    "service": ("Service to residents", "为民服务"),
    "resolved_share": ("Requests resolved on time (28-day share)", "按时办结率（28日）"),
    "backlog": ("Requests waiting", "待办群众诉求"),
    "meetings": ("Meetings and travel", "会议与路途"),
    "meetings_week": ("Meetings per village cadre a week", "村干部每周开会次数"),
    "travel_day": ("Travel hours per cadre a day", "人均每日路途小时"),
    "hierarchy": ("The hierarchy: many lines, one needle", "层级结构：千条线，一根针"),
    "departments": ("County departments", "县直部门"),
    "townships": ("Townships", "乡镇"),
    "villages": ("Villages", "村"),
    "exhaustion_colour": ("Mean exhaustion (0% fresh - 100% spent)", "平均耗竭度（0% 精力充沛 - 100% 耗尽）"),
    "kpi_formalism": ("Formalism share of work time", "形式主义工时占比"),
    "kpi_exhaustion": ("Mean exhaustion", "平均耗竭度"),
    "kpi_burnout": ("Cadres burned out", "倦怠干部比例"),
    "kpi_resolved": ("Requests resolved on time", "按时办结率"),
    "kpi_meetings": ("Meetings / village cadre / week", "村干部每周会议"),
    "kpi_window": ("last 28 days", "近28天"),
    "kpi_vs_baseline": ("baseline", "基线"),
    "kpi_other": ("dashed", "虚线"),
    "on": ("on", "开"),
    "off": ("off", "关"),
    "keep_base": ("unchanged", "不变"),
    "error": ("Could not build the scenario", "无法生成情景"),
}

# lever: (English name, Chinese name, English explanation, Chinese explanation)
LEVER_TEXT: dict[str, tuple[str, str, str, str]] = {
    "document_cut": ("Cut documents", "精简文件", "Share of upper documents no longer issued (Gansu 2019: -30%).",
                     "上级不再下发的文件比例（甘肃2019年：-30%）。"),
    "meeting_cut": ("Cut meetings", "精简会议", "Share of meetings no longer called (Wuhu 2019: -40%).",
                    "不再召开的会议比例（芜湖2019年：-40%）。"),
    "meeting_consolidation": ("One meeting for all tiers", "会议合并套开", "One meeting reaches every tier instead of a relay at each level.",
                              "一次会议开到底，不再层层传达。"),
    "video_conferencing": ("Video meetings", "视频会议", "Share of meetings held by video: no travel to the township.",
                           "以视频方式召开的会议比例：不必往返乡镇。"),
    "inspection_cut": ("Fewer inspections", "减少督查检查考核", "Share of inspections and assessments cut.",
                       "压减的督查检查考核比例。"),
    "no_video_ppt": ("No videos or PPT for inspectors", "迎检不要视频PPT", "Report orally and show the site; no video or slides to prepare.",
                     "口头汇报、现场查看，不再准备视频和PPT。"),
    "form_dedup": ("One form (merge duplicates)", "报表去重（一表通）", "Share of duplicated forms merged into one.",
                   "重复报表合并为一张的比例。"),
    "app_cap": ("Cap on work apps", "政务App数量上限", "Most apps a cadre must use; 0 = no cap.",
                "每名干部须使用的App上限；0 表示不设上限。"),
    "paperless": ("Paperless office", "无纸化办公", "Documents on computer and phone systems.", "文件通过电脑和手机系统流转。"),
    "duty_list": ("Duty list", "履职事项清单", "Villages take only the tasks on their list; others go back up.",
                  "村里只承担清单内事项，清单外的退回上级。"),
    "plaque_cap": ("Cap on village plaques", "村级挂牌上限", "Most office plaques a village keeps; 0 = no cap.",
                   "每村保留的牌子上限；0 表示不设上限。"),
    "secondment_ban": ("No secondments", "禁止借调", "Township staff borrowed upward return to their posts.",
                       "被上级借调的乡镇干部回到本岗。"),
    "accountability": ("Accountability intensity", "问责强度", "How hard failures are punished after the reform.",
                       "改革后对差错追责的力度。"),
    "error_tolerance": ("Error tolerance", "容错纠错", "Share of accountability events forgiven.", "被容错免责的问责事件比例。"),
    "grid_purchase": ("Professional grid workers", "购买专职网格员", "Purchased grid workers per township take over patrols.",
                      "每个乡镇购买的专职网格员，承担网格巡查。"),
    "patrol_office_separation": ("Separate patrol from desk duty", "巡查与坐班分离", "Patrols no longer double as office duty.",
                                 "网格巡查不再与坐班值守混在一起。"),
    "training": ("Training and support", "赋能培训", "Expertise and support for specialist tasks (0-1).",
                 "专业任务的培训与支持水平（0-1）。"),
    "extra_staff": ("More staff", "增加人手", "Cadres added per village and per township ('more horses').",
                    "每个村和乡镇增加的干部人数（“加马”）。"),
}

# Where each lever's number comes from (shared/domain/BRIEF.md; S0..S4 are the seed pages), in both languages.
SEEDS: dict[str, tuple[str, str]] = {
    "S0": ("Rongcheng grid report", "荣成网格报道"), "S1": ("Gansu 2019 burden-reduction report", "甘肃2019基层减负报道"),
    "S2": ("2024 duty-list report", "2024履职事项清单报道"), "S3": ("inspections, plaques and secondment report", "迎检、挂牌与借调报道"),
    "S4": ("grid management report", "网格管理报道"),
}
LEVER_SOURCE: dict[str, tuple[str, str]] = {
    "document_cut": ("S1: documents -30% (Gansu 2019)", "S1：甘肃2019年文件压减30%"),
    "meeting_cut": ("S1: meetings -30% (Gansu); Wuhu -40% (2019)", "S1：甘肃会议压减30%；芜湖2019年压减40%"),
    "meeting_consolidation": ("S1: one meeting reaches all tiers", "S1：一次会议开到底"),
    "video_conferencing": ("S1: one city-wide video meeting, watched in the village office", "S1：全市视频会议，村干部在村里收看"),
    "inspection_cut": ("S1: -30%; some provinces 50%+", "S1：压减30%，部分省份50%以上"),
    "no_video_ppt": ("S3: report orally and show the site", "S3：口头汇报、现场查看"),
    "form_dedup": ("2024 rules (一表通); 42% of 6,077 cadres name repeated filing (人民论坛 2020)",
                   "2024年规定（一表通）；6077名干部中42%反映重复填报（人民论坛2020）"),
    "app_cap": ("2024 rules: at most one app per central department", "2024年规定：每个中央部门最多一个App"),
    "paperless": ("S1: documents on computer and phone systems", "S1：电脑和手机公文系统"),
    "duty_list": ("S2; central staffing office 2025: 117 basic, 99 cooperation, 124 returned of 340 items",
                  "S2；中央编办2025：340项中基本117项、配合99项、退回124项"),
    "plaque_cap": ("S3: 30+ plaques cut to 4 per village", "S3：每村牌子由30多块减至4块"),
    "secondment_ban": ("2024 rules; Hunan and Jilin each returned 3,000+ seconded staff", "2024年规定；湖南、吉林各召回借调人员3000多人"),
    "accountability": ("S0, S1: responsibility stays after the letters go (level: assumption)", "S0、S1：责任状取消后责任仍在（力度为假设）"),
    "error_tolerance": ("容错纠错 mechanisms (share: assumption)", "容错纠错机制（比例为假设）"),
    "grid_purchase": ("S0: 1,000+ part-time grid members replaced by 159 professionals", "S0：1000多名兼职网格员由159名专职人员替代"),
    "patrol_office_separation": ("S4: those who find problems should not also have to fix them", "S4：发现问题的人不再同时负责处置"),
    "training": ("S2: empowerment for specialist tasks (level: assumption)", "S2：专业任务赋能（水平为假设）"),
    "extra_staff": ("counterfactual 'more horses' (小马拉大车), not a reform", "反事实“加马”（小马拉大车），并非改革措施"),
}
# The levers shown at the top of the sidebar; the rest sit in collapsible groups below.
HEADLINE_LEVERS = ("meeting_cut", "video_conferencing", "form_dedup", "duty_list", "extra_staff")

UNIT_ZH = {
    "share cut": "压减比例", "on/off": "开/关", "share of meetings remote": "视频会议占比", "share of duplicates merged": "重复报表合并比例",
    "apps per cadre": "个App/人", "plaques": "块牌子", "intensity after the reform": "改革后强度（0-1）",
    "share of events forgiven": "免责比例", "purchased grid workers per township": "人/乡镇", "expertise and support level": "支持水平",
    "cadres added per village and per township": "人/村、人/乡镇",
}

LEVER_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Meetings and travel", "会议与路途", ("meeting_cut", "meeting_consolidation", "video_conferencing")),
    ("Documents and inspections", "文件与检查", ("document_cut", "paperless", "inspection_cut", "no_video_ppt")),
    ("Forms and apps", "报表与App", ("form_dedup", "app_cap", "plaque_cap")),
    ("Duties and staff", "事项与人手", ("duty_list", "secondment_ban", "grid_purchase", "patrol_office_separation", "extra_staff")),
    ("Accountability and support", "问责与赋能", ("accountability", "error_tolerance", "training")),
)

PRESET_TEXT: dict[str, tuple[str, str]] = {
    "baseline": ("Baseline 2018 (no reform)", "2018年基线（无改革）"),
    "gansu_2019_cuts": ("Gansu 2019: cut documents, meetings, inspections", "甘肃2019：精文减会减检查"),
    "video_conferencing": ("Video conferencing", "视频会议"),
    "no_video_ppt_inspections": ("Inspections without video and PPT", "迎检不要视频PPT"),
    "plaques_and_secondment": ("Fewer plaques, no secondment", "清理挂牌、禁止借调"),
    "duty_lists_2024": ("Duty lists (2024)", "履职事项清单（2024）"),
    "one_form_and_apps": ("One form, fewer apps", "一表通、App瘦身"),
    "rongcheng_grid_reform": ("Rongcheng grid reform", "荣成网格改革"),
    "empowerment": ("Empowerment and error tolerance", "赋能与容错"),
    "gansu_2019_displaced": ("Gansu 2019 cuts, work displaced into forms", "甘肃2019精简，但工作转为报表"),
    "tolerant_accountability": ("Tolerant accountability", "容错问责"),
    "hire_more_staff": ("Hire more staff", "增加编制人手"),
    "all_reforms": ("All reforms together", "全部改革措施"),
    "meetings_package": ("Meetings package", "会议减负组合"),
}

# preset: (English explanation, Chinese explanation, source in English, source in Chinese)
PRESET_HELP: dict[str, tuple[str, str, str, str]] = {
    "baseline": ("The 2018 county before the reforms: 24 departments, 12 townships of 30 cadres, 20 villages of 5 cadres each.",
                 "改革前的2018年县：24个县直部门，12个乡镇各30名干部，每乡镇20个村、每村5名干部。",
                 "BRIEF: 2006 agricultural census, provincial yearbooks", "BRIEF：2006年农业普查、各省统计年鉴"),
    "gansu_2019_cuts": ("Documents, meetings and inspections each cut by 30% from the reform day.",
                        "自改革实施日起，文件、会议、督查检查各压减30%。", "S1: Gansu 2019", "S1：甘肃2019"),
    "gansu_2019_displaced": ("The Gansu cuts, but half of the cut work comes back down as forms.",
                             "甘肃式压减，但一半被压减的工作以报表形式回流。", "S1: one department's cut reappears as another's form",
                             "S1：一个部门减下来的，变成另一个部门的报表"),
    "video_conferencing": ("Most meetings by video, one meeting for all tiers: no travel to the township.",
                           "多数会议改为视频、一次开到底：不必往返乡镇。", "S1: city-wide video meeting", "S1：全市视频会议"),
    "no_video_ppt_inspections": ("Inspections without videos or slides: report orally, show the site.",
                                 "迎检不再准备视频和PPT：口头汇报、现场查看。", "S3", "S3"),
    "plaques_and_secondment": ("Four plaques per village; township staff may no longer be borrowed upward.",
                               "每村保留4块牌子；上级不得借调乡镇干部。", "S3; 2024 rules", "S3；2024年规定"),
    "duty_lists_2024": ("Duty lists: villages keep basic tasks, help with cooperation tasks, return the rest.",
                        "履职事项清单：村里做基本事项、配合配合事项、退回其余事项。", "S2; central staffing office 2025",
                        "S2；中央编办2025"),
    "one_form_and_apps": ("Duplicate forms merged into one, at most four apps per cadre, paperless documents.",
                          "重复报表合并为一张，每人最多4个App，无纸化办公。", "2024 rules; 人民论坛 2020", "2024年规定；人民论坛2020"),
    "rongcheng_grid_reform": ("Professional grid workers patrol; patrol separated from handling problems.",
                              "购买专职网格员巡查；巡查与处置分离。", "S0: Rongcheng; S4", "S0：荣成；S4"),
    "empowerment": ("Training and support: expertise for specialist tasks and a buffer against exhaustion.",
                    "培训与支持：专业任务有本领，耗竭有缓冲。", "S2 (level: assumption)", "S2（水平为假设）"),
    "tolerant_accountability": ("Accountability lowered from 0.7 to 0.4 and half of honest errors forgiven.",
                                "问责强度由0.7降至0.4，一半的无心之失予以容错。", "S0, S1 (levels: assumption)", "S0、S1（力度为假设）"),
    "hire_more_staff": ("Not a reform: one more cadre in every village and township, the load unchanged.",
                        "并非改革：每个村和乡镇各加一名干部，任务量不变。", "counterfactual (小马拉大车)", "反事实情景（小马拉大车）"),
    "all_reforms": ("Every reform together at the values of the single presets (without extra staff).",
                    "全部改革措施按各单项预设的数值同时实施（不含增加人手）。", "S0-S4; 2024 rules", "S0-S4；2024年规定"),
    "meetings_package": ("Meetings cut by 30%, 90% of them by video, and one meeting for all tiers instead of three.",
                         "会议减少30%，其中九成改为视频会议，并且一次会议直达各级，不再三级重复召开。", "S1", "S1"),
}

KPI_KEYS = ("kpi_formalism", "kpi_exhaustion", "kpi_burnout", "kpi_resolved", "kpi_meetings")

# Lesson: each step loads a preset (or, if that file is missing, these levers over the baseline) and a view.
LESSON: tuple[dict[str, Any], ...] = (
    {
        "preset": "baseline", "levers": {}, "mode": "single",
        "title": ("Many lines, one needle", "上头千条线，下面一根针"),
        "text": (
            "Two dozen county departments each send documents, meetings, inspections and forms. Every line lands on "
            "the same township office, and from there on five cadres in each village. Press Play and watch the "
            "bottom row of the hierarchy.",
            "二十几个县直部门各自下发文件、会议、检查和报表，所有线条都落到同一个乡镇，再落到每个村的五名干部身上。"
            "点击播放，观察层级图最下面一排。",
        ),
        "watch": ("Hierarchy colours; time-use chart: how much of the day is hatched (formalism)?",
                  "层级图的颜色；工时图中斜线部分（形式主义）占了多少？"),
        "ask": ("Who carries the load: the departments, the township or the village?", "担子最终压在谁身上：部门、乡镇还是村？"),
    },
    {
        "preset": "video_conferencing", "levers": {"video_conferencing": 0.6, "meeting_cut": 0.3, "meeting_consolidation": True},
        "mode": "compare",
        "title": ("Meetings and travel", "文山会海与路途"),
        "text": (
            "Baseline and reform run side by side on the same seed. Up to the reform day the curves are identical; "
            "from then on meetings go by video or are merged.",
            "基线与改革用同一随机种子并排运行。改革实施日之前两条曲线完全重合，之后会议改为视频或合并召开。",
        ),
        "watch": ("Meetings-and-travel chart: do the curves part at the reform day?", "会议与路途图：曲线是否在改革实施日分开？"),
        "ask": ("Where do the freed hours go: to residents, or to other paperwork?", "省下来的时间去了哪里：群众身边，还是别的材料？"),
    },
    {
        "preset": "one_form_and_apps", "levers": {"form_dedup": 0.8, "app_cap": 2, "paperless": True}, "mode": "compare",
        "title": ("Forms and apps", "表格与App"),
        "text": (
            "Repeated filing of the same material and a phone full of check-in apps eat the working day. The reform "
            "merges duplicate forms and caps the apps.",
            "同一份材料反复填报、手机里装满打卡App，占去大量工时。改革合并重复报表，限制App数量。",
        ),
        "watch": ("Time-use chart: the form and app bands, before and after.", "工时图：报表和App色带在改革前后的变化。"),
        "ask": ("Does the trace (proof of work) shrink as well, or only the forms?", "留痕工作是否也减少了，还是只有报表减少？"),
    },
    {
        "preset": "duty_lists_2024", "levers": {"duty_list": True, "secondment_ban": True}, "mode": "compare",
        "title": ("Duty lists", "履职事项清单"),
        "text": (
            "A duty list says which tasks a village must do; tasks off the list go back to the department that "
            "sent them. The needle gets fewer threads.",
            "履职事项清单规定村里该干什么；清单外的事项退回派出部门。一根针上穿的线少了。",
        ),
        "watch": ("Exhaustion chart and the village row of the hierarchy.", "耗竭图与层级图中村一级的颜色。"),
        "ask": ("Who does the returned work now, and is it done?", "退回的事项现在由谁来做？做完了吗？"),
    },
    {
        "preset": "all_reforms", "levers": {
            "document_cut": 0.3, "meeting_cut": 0.3, "meeting_consolidation": True, "video_conferencing": 0.6,
            "inspection_cut": 0.5, "no_video_ppt": True, "form_dedup": 0.8, "app_cap": 2, "paperless": True,
            "duty_list": True, "plaque_cap": 4, "secondment_ban": True, "error_tolerance": 0.5, "training": 0.5},
        "mode": "compare", "other": "hire_more_staff",
        "title": ("What did and did not help", "什么有用，什么没用"),
        "text": (
            "All reforms together (solid) against the other answer, hiring more staff (dashed), on the same seed. "
            "Then compare each with the baseline, or try one lever at a time in the sidebar and see which curves move.",
            "全部改革措施（实线）与另一种办法——增加编制人手（虚线）——用同一随机种子并排运行。"
            "再分别与基线比较，或在侧栏逐项调整措施，看哪条曲线会动。",
        ),
        "watch": ("Service chart: resolved share and backlog. Exhaustion: who recovers?", "为民服务图：办结率和积压；耗竭图：谁恢复了？"),
        "ask": ("Which lever cut the lines from above, and which only added hands below?", "哪项措施减少了上面的线，哪项只是在下面加了人手？"),
    },
)


def t(key: str, lang: str, **fmt: Any) -> str:
    """The UI string `key` in `lang`, formatted with `fmt`; falls back to sim.labels, then to the key."""
    if key in UI:
        s = UI[key][1 if lang == "zh" else 0]
        return s.format(**fmt) if fmt else s
    return _model_label(key, lang)


def kind(name: str, lang: str) -> str:
    """A time-use kind (meeting, form, ...) in `lang`."""
    return _model_label(name, lang)


def lever_name(name: str, lang: str) -> str:
    """A lever's name in `lang`."""
    return LEVER_TEXT[name][1 if lang == "zh" else 0]


def lever_help(name: str, lang: str) -> str:
    """A lever's one-line explanation in `lang`."""
    return LEVER_TEXT[name][3 if lang == "zh" else 2]


def unit(u: str, lang: str) -> str:
    """A scenario unit string in `lang`."""
    return UNIT_ZH.get(u, u) if lang == "zh" else u


def preset_name(stem: str, lang: str, fallback: str | None = None) -> str:
    """A preset's display name; unknown presets show their file name (or `fallback`)."""
    if stem in PRESET_TEXT:
        return PRESET_TEXT[stem][1 if lang == "zh" else 0]
    return fallback or stem.replace("_", " ")


def lesson_text(i: int, part: str, lang: str) -> str:
    """Part (title, text, watch, ask) of lesson step `i` in `lang`."""
    return LESSON[i][part][1 if lang == "zh" else 0]


def seeds_note(lang: str) -> str:
    """'S0 = ..., S1 = ...': what the source codes stand for."""
    i = 1 if lang == "zh" else 0
    return ("；" if lang == "zh" else "; ").join(f"{k} = {v[i]}" for k, v in SEEDS.items())


def lever_source(name: str, lang: str) -> str:
    """Where a lever's values come from, in `lang`."""
    return LEVER_SOURCE[name][1 if lang == "zh" else 0]


def preset_help(stem: str, lang: str, fallback: str = "") -> tuple[str, str]:
    """(explanation, source) of a preset in `lang`; unknown presets give their file's description."""
    if stem in PRESET_HELP:
        h = PRESET_HELP[stem]
        return (h[1], h[3]) if lang == "zh" else (h[0], h[2])
    return fallback, ""


# Class mode (sim/dashboard/gate.py, limits.py): the join form, the projector's banner, the limits, and the one-line
# refusals of uploads and runs. Kept apart from UI so the two merge cleanly; t() finds them through UI.
CLASS_UI: dict[str, tuple[str, str]] = {
    "join_title": ("Join the class", "加入课堂"),
    "join_prompt": ("Enter the join code shown on the projector.", "请输入投影屏幕上显示的加入码。"),
    "join_button": ("Join", "加入"),
    "join_wrong": ("That is not the join code; look at the projector again.", "加入码不对，请再看一下投影屏幕。"),
    "join_limited": ("Too many wrong codes from this device; wait a minute.", "这台设备输错次数太多，请等一分钟再试。"),
    "class_banner": ("Class mode · join at {urls} with the code {code}", "课堂模式 · 在 {urls} 输入加入码 {code}"),
    "class_visitor": ("Class mode: you are running the model on the teacher's machine", "课堂模式：你在老师的电脑上运行模型"),
    "limits": ("Limits for each visitor: a file up to {kb} kB; one run at a time, at most {n} visitors running at "
               "once; a run up to {cadres} cadres and {cadre_days} cadre-days; {cpu} s of computing a run",
               "每位访客的限制：文件不超过 {kb} kB；一次只运行一个模拟，同时最多 {n} 位访客在运行；"
               "每次模拟最多 {cadres} 名干部、{cadre_days} 人·天；每次模拟计算时间最多 {cpu} 秒"),
    "upload_too_big": ("{name}: the file is larger than {kb} kB, the limit for an upload",
                       "{name}：文件超过上传上限 {kb} kB"),
    "upload_failed": ("{name}: could not read this scenario file (is it a scenario TOML from this dashboard?)",
                      "{name}：无法读取此情景文件（是否为本页面保存的情景 TOML？）"),
    "upload_outside": ("{name}: field '{field}' may only name a file in scenarios/ (got {value})",
                       "{name}：字段“{field}”只能是 scenarios/ 中的文件名（收到 {value}）"),
    "limit_size": ("This run is too large for the shared server ({cadres} cadres, {cadre_days} cadre-days; at most "
                   "{cadres_max} cadres and {cadre_days_max} cadre-days)",
                   "此模拟对共享服务器来说太大（{cadres} 名干部、{cadre_days} 人·天；上限为 {cadres_max} 名干部、"
                   "{cadre_days_max} 人·天）"),
    "limit_field": ("Field '{field}': at most {max} on the shared server", "字段“{field}”：共享服务器上最多 {max}"),
    "busy": ("The server is busy ({n} visitors are running the model); try again in a moment",
             "服务器正忙（{n} 位访客正在运行模型），请稍后再试"),
    "cpu_spent": ("This run has used its {cpu} s of computing time; press reset or load another scenario",
                  "此次模拟已用完 {cpu} 秒计算时间；请按重置或载入其他情景"),
}
UI.update(CLASS_UI)
