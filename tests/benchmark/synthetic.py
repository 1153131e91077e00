"""A synthetic archive of a Chinese daily in the project's content format, for the benchmark.

Deterministic for a seed and an end date: about 150 items a day over consecutive dates, 8–16
pages a day named from SECTIONS, about 300 tags and 80 people (记者, 通讯员, 摄影), about 5%
photo items, and report bodies of about 1,200 characters in 4–8 paragraphs opening with the
dateline. Slugs are positional ASCII (`r20261120-a01-01`), so they never collide.

Sentences come from a small pool, each with its own numbers and an opening naming a person or a
date, so that no two reports of a page print the same sentence (the printed page's zone finder
places a report by the runs of text only it has). With photos, each photo item carries a lead
photo and one report in five a photo, lead or in its text (benchmark.media writes the files); the
text of every item is the same with or without them.
"""

import datetime
import functools
import itertools
import random
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from content_schema.check import name_slug

# The page names (版名) the synthetic pages carry: a benchmark build sets SECTIONS to this list.
SECTIONS = ["要闻", "综合新闻", "时政", "经济", "城建", "社会", "教育", "文化", "体育", "国内国际", "鹰城视点", "副刊"]
PLACES = ("湛河区", "新华区", "卫东区", "石龙区", "舞钢市", "汝州市", "宝丰县", "叶县", "鲁山县", "郏县", "高新区", "城乡一体化示范区")
TOPICS = (
    ("乡村", "城市", "生态", "文化", "教育", "医疗", "交通", "环境", "社区", "产业", "科技", "旅游")
    + ("农业", "工业", "金融", "民生", "法治", "党建", "安全", "人才", "消费", "水利", "能源", "养老")
    + ("就业", "住房", "体育", "卫生", "营商", "政务")
)
ACTIONS = ("振兴", "建设", "治理", "保护", "服务", "改革", "发展", "创新", "提升", "保障", "监管", "规划")
WORDS = (
    ("志愿者", "农产品", "新能源", "大数据", "老党员", "幼儿园", "博物馆", "互联网")
    + ("供暖季", "防汛期", "中秋节", "春运", "疫情防控", "招商引资", "项目建设", "文明创建")
    + ("换届选举", "扫黑除恶", "复工复产", "河长制", "高速公路", "电子商务")
)
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀兰霞平刚桂英华玉萍红娟建文辉力斌宇鹏飞浩凯亚丹晓燕冠博旭光海波新春雪梅志国金凤永庆"
ROLE_COUNTS = (("记者", 56), ("通讯员", 16), ("摄影", 8))
TAG_COUNT = 300
PHOTO_SHARE = 0.05
REPORT_PHOTO_SHARE = 0.2  # reports with one photo: half of them as their lead, half in their text
FIELD_ORDER = ("Title", "Kicker", "Subtitle", "Kind", "Date", "Page", "Section", "Position", "People", "Credit", "Tags", "Slug", "Summary", "Image", "Caption")
OPENINGS = ("据{name}介绍,", "{name}表示,", "{month}月{day}日,", "{name}告诉记者,")
KICKERS = ("砥砺奋进 改革创新", "凝心聚力 实干担当", "奋斗百年路 启航新征程", "聚焦高质量发展", "牢记嘱托 勇毅前行", "执法好不好 居民说了算")
SUBTITLES = ("为{tag}注入新动能", "{place}{tag}工作取得新成效", "着力提升群众安全感满意度", "让数据多跑路 让群众少跑腿", "全年目标任务提前完成")
TITLES = (
    "{place}扎实推进{tag}",
    "{place}全面开展{tag}工作",
    "{tag}跑出加速度",
    "{place}{tag}取得新成效",
    "持续深化{tag} 擦亮{place}新名片",
    "{place}召开{tag}推进会",
)
# Sentences from the first edition's reports, with the district as {place}.
SENTENCES = (
    "预计全年完成地区生产总值220.55亿元,完成固定资产投资46.65亿元,实现规模以上工业增加值42.98亿元。",
    "今年以来,为抗击疫情,该区建立了高效顺畅的疫情防控指挥体系,党政班子齐上阵,明确分工、压实责任,科学有序开展防控工作。",
    "该区组织47个区直单位分包“三无”小区,成立临时党支部,发动4700多名在职和离退休党员、5000多名志愿者积极参与疫情防控,形成了全民防控的浓厚氛围。",
    "疫情稳定后,该区迅速成立6个复工复产工作组,按照“一企一策”的原则,指导企业建立内部责任体系和疫情防控管理办法,科学有序、分批分类推动复工复产。",
    "派出245名科级干部任企业“首席服务员”,定期走访调研企业,及时协调解决企业复工复产遇到的问题,安全有序推动复工复产,有力促进经济社会健康平稳发展。",
    "为加快推进新区建设,该区坚持规划先行,以国土空间总体规划编制为契机,编制新区空间规划和重点片区城市设计方案。",
    "此外,围绕新区、工业园区、物流园区建设,以金融服务业、生物医药业、电子商务业为主线,大力实施定向招商、专题招商和以商招商,引进了一批战略性、龙头型项目。",
    "今年,该区有22个项目达成合作意向,12个签约项目总投资275.058亿元。",
    "同时,加大公共设施建设力度,累计硬化乡村道路22.05千米,新建村内排水管网、沟渠22.6千米,小型广场游园4个,绿化村道17条,农村面貌大为改观。",
    "思想政治理论课是落实立德树人根本任务的关键课程。",
    "今年以来,{place}以领导干部常态化联系学校为载体和抓手,以上思想政治理论课、形势与政策报告为主要形式,持续推进领导干部上讲台开展思想政治教育。",
    "同时,由各级党委宣传部牵头、组织部门配合,在区、乡两级建立师资库,分级遴选一批具有较高理论素养和丰富实践经验的领导干部参与进来。",
    "同时注重选拔大专以上学历的人员进入村(社区)“两委”班子,力争实现领导班子年龄、学历“一降一升”。",
    "据统计,{place}共有67名到龄村干部均表示服从组织安排,自觉退出选举,扮好乡村振兴路上新角色,继续为村集体发挥余热。",
    "12月28日,市区凌波路与和顺路交叉口西南角的商业综合体项目施工现场,工人正在施工。",
    "今年以来,{place}坚持以好项目支撑动能转换,以大项目赋能创新发展,持续加大重大项目推进力度。",
    "今年以来,{place}全面贯彻执行关于平安建设的决策部署,在全力做好疫情防控的同时,保持了社会大局的持续稳定,群众安全感、满意度稳步提升。",
    "该区持续开展了打击盗抢骗等多发性侵财犯罪专项斗争,全区刑事案件发案量同比下降25%,盗抢骗案件发案量同比下降30.3%。",
    "该区扎实推进“六清”行动,长效常治初步形成,全区共审结涉黑涉恶案件11起27人,查没违法所得415.4万元。",
    "该区组建了420人的专职治安巡防大队,4000多人的义务巡逻队和村(社区)警务力量,构建起严密的“人防体系”。",
    "投资1600多万元建成了农村高清视频监控系统,和城区的“天眼工程”共同筑起守护群众安全的坚强屏障。",
    "近年来,该区每年都出资100多万元,为辖区居民购买平安家园和民生综合两份保险。",
    "目前,已累计理赔125.6万元,资助65名贫困大学生完成了学业。",
    "这些行政执法监督员将接受行政执法相关培训,熟悉各行政执法机关办事流程、业务办结时限及有关法律规范。",
    "必要时,这些行政执法监督员可以针对某项具体案例,到行政执法现场全程跟进监督。",
    "在工作人员的耐心指导下,他欣喜地发现,这项往年须本人亲自到现场采集的工作,如今在手机上也能简单完成。",
    "{place}政务服务和大数据管理局一方面坚持传统服务,在政务大厅设立老年人志愿服务专员,对没有智能手机的老年人辅助完成社保认证。",
    "另一方面依托全国一体化政务服务平台,不断提升互联网+政务服务能力,优化政务服务办理流程,让数据多跑路,让群众少跑腿。",
    "近两个月来,该区为9100余名退休人员进行网上养老资格认证,协助600多位老年人下载相关认证软件,让老年人爱上“智能生活”。",
    "该项目总投资10.7亿元,总建筑面积15.7万余平方米,将打造一个集零售、餐饮、娱乐、社交、办公于一体的综合性生活体验中心。",
    "依托全区产业基础,精心绘制生物医药、金融保险、商业地产等产业招商“四张图谱”,由区主要领导具体负责,扎实推进“四个拜访”。",
    "在此基础上,广泛开展以商招商、产业链招商、微信招商、电话招商等活动,从“面对面”交流改为“屏对屏”沟通,从“叩门招商”变为“云端互动”。",
    "据统计,今年以来,{place}党政一把手外出招商11次,达成合作意向项目23个,签约项目13个,项目总投资305亿元。",
)
CAPTIONS = (
    "日前,{place}的工作人员在村里向村民宣传“两委”换届相关政策,引领群众积极参与、支持换届工作。",
    "近日,{place}一社区开展创文志愿服务日活动,组织青年志愿者在社区广场为居民提供修补锅、盆,配钥匙,修理家电等免费服务。",
    "12月28日,{place}一重点项目施工现场,工人正在施工。",
    "近日,{place}组织志愿者走进敬老院,为老人送去生活用品。",
)


@dataclass(frozen=True)
class Item:
    """One item of a synthetic edition: its file and source, and what its printed page shows."""

    name: str  # the file's name in the day's folder
    text: str  # the file's source
    page: str
    title: str
    body: str  # the text as printed: paragraphs, without photos
    photo: str | None = None  # the photo it shows, under content/ (images/2026-11-28/a01-03.jpg)


@dataclass(frozen=True)
class Vocabulary:
    """The tags and people one synthetic archive shares, with how often each is used."""

    tags: list
    tag_weights: list
    people: dict  # role → names
    reporter_weights: list


def default_end():
    """Three days before today in Beijing: the schema refuses editions dated in the future."""
    return datetime.datetime.now(ZoneInfo("Asia/Shanghai")).date() - datetime.timedelta(days=3)


def write_corpus(folder, reports, seed=1, end=None, photos=None, each_day=None):
    """Write `reports` items over consecutive dates ending at `end`; return the dates, oldest first.

    photos(date) says whether that day's items show photos (none by default); each_day(date, items)
    is called with each day's items once written (benchmark.media writes their files)."""
    rng = random.Random(seed)
    counts = []
    while sum(counts) < reports:
        counts.append(min(rng.randint(135, 165), reports - sum(counts)))
    counts.reverse()  # the partial day is the oldest edition; the front page is a full day
    end = end or default_end()
    dates = [end - datetime.timedelta(days=len(counts) - 1 - index) for index in range(len(counts))]
    for date, count in zip(dates, counts, strict=True):
        items = write_day(folder, date, count, seed, photos=bool(photos and photos(date)))
        if each_day:
            each_day(date, items)
    return dates


def write_day(folder, date, reports=150, seed=1, photos=False):
    """Write one day's edition of `reports` items into folder/YYYY-MM-DD/; return the items."""
    day = Path(folder) / date.isoformat()
    day.mkdir(parents=True, exist_ok=True)
    items = list(day_items(date, reports, seed, photos))
    for item in items:
        (day / item.name).write_text(item.text, encoding="utf-8")
    return items


def day_items(date, reports, seed=1, photos=False):
    """Every Item of one day's edition, the same for the same seed; with photos, some show one."""
    rng = random.Random(f"{seed}:{date.isoformat()}")
    chance = random.Random(f"{seed}:{date.isoformat()}:photos")  # apart: the text is the same with or without photos
    words = vocabulary(seed)
    for page, section, count in page_plan(rng, reports):
        for position in range(1, count + 1):
            kind = "photo" if position > 1 and rng.random() < PHOTO_SHARE else "report"
            slug = f"r{date:%Y%m%d}-{page.lower()}-{position:02d}"
            fields = item_fields(rng, words, kind)
            fields.update(Date=date.isoformat(), Page=page, Section=section, Position=position, Slug=slug)
            printed = body = fields.pop("body")
            photo = None
            if photos and (kind == "photo" or chance.random() < REPORT_PHOTO_SHARE):
                photo = f"images/{date.isoformat()}/{page.lower()}-{position:02d}.jpg"
                if kind == "photo" or chance.random() < 0.5:  # the lead photo, with its caption and credit
                    fields.update(Image=photo, Caption=fields["Summary"] if kind == "photo" else f"{fields['Title']}:工作人员正在现场忙碌。")
                    fields["Credit"] = fields.get("Credit") or chance.choice(words.people["摄影"]) + " 摄"
                else:  # a photo in the text, after its first paragraph
                    first, _, rest = body.partition("\n\n")
                    body = f"{first}\n\n![{fields['Title']}]({{static}}/{photo})" + (f"\n\n{rest}" if rest else "")
            header = "\n".join(f"{key}: {fields[key]}" for key in FIELD_ORDER if fields.get(key) is not None)
            text = f"{header}\n\n{body}\n"
            yield Item(f"{page.lower()}-{position:02d}-{slug}.md", text, page, fields["Title"], printed, photo)


def page_plan(rng, reports):
    """[(page number, page name, item count)] of one edition: A01…A08, then B01…"""
    pages = min(rng.randint(8, 16), reports)
    numbers = [f"{'AB'[index // 8]}{index % 8 + 1:02d}" for index in range(pages)]
    counts = [1] * pages
    for index in rng.choices(range(pages), k=reports - pages):
        counts[index] += 1
    names = ["要闻"] + [rng.choice(SECTIONS[1:]) for _ in range(pages - 1)]
    return list(zip(numbers, names, counts, strict=True))


def item_fields(rng, words, kind):
    """The fields of one item that do not depend on where it stands, and its body."""
    place = rng.choice(PLACES)
    tags = list(dict.fromkeys(rng.choices(words.tags, cum_weights=words.tag_weights, k=rng.randint(2, 5))))
    fill = {"place": place, "tag": tags[0]}
    fields = {"Title": rng.choice(TITLES).format(**fill), "Kicker": None, "Subtitle": None, "Kind": kind}
    if kind == "photo":
        name = rng.choice(words.people["摄影"] + words.people["记者"][:4])
        credit = f"{name} 摄" if name in words.people["摄影"] else f"本报记者 {name} 摄"
        caption = vary(rng, words, rng.choice(CAPTIONS).format(**fill))
        fields.update(People=f"摄影:{name}", Credit=credit, Tags="、".join(tags), Summary=caption, body=f"▲{caption}")
        return fields
    if rng.random() < 0.2:
        fields["Kicker"] = rng.choice(KICKERS)
    if rng.random() < 0.35:
        fields["Subtitle"] = rng.choice(SUBTITLES).format(**fill)
    credits, dateline = byline(rng, words)
    paragraphs = body_paragraphs(rng, words, place)
    summary = paragraphs[0].split("。")[0] + "。" if rng.random() < 0.85 else None
    paragraphs[0] = dateline + paragraphs[0]
    fields.update(People=credits, Tags="、".join(tags), Summary=summary, body="\n\n".join(paragraphs))
    return fields


def byline(rng, words):
    """One or two reporters (the first writes more often), sometimes a correspondent: People and dateline."""
    reporters = words.people["记者"]
    names = list(dict.fromkeys(rng.choices(reporters, cum_weights=words.reporter_weights, k=1 if rng.random() < 0.8 else 2)))
    credits = [f"记者:{name}" for name in names]
    dateline = "本报讯(记者" + " ".join(names)
    if rng.random() < 0.4:
        correspondent = rng.choice(words.people["通讯员"])
        credits.append(f"通讯员:{correspondent}")
        dateline += f" 通讯员{correspondent}"
    return "、".join(credits), dateline + ")"


def body_paragraphs(rng, words, place):
    """4–8 paragraphs of about 1,200 characters in all."""
    count, target = rng.randint(4, 8), rng.randint(800, 1400)
    paragraphs = []
    for _ in range(count):
        text = ""
        while len(text) < target / count:
            text += vary(rng, words, rng.choice(SENTENCES))
        paragraphs.append(text.replace("{place}", place))
    return paragraphs


def vary(rng, words, sentence):
    """A sentence of the pool as one report prints it: its own numbers, opened by a person or a date."""
    sentence = re.sub(r"\d+(?![\d月日])", lambda number: str(rng.randint(2, 10 ** len(number.group()) - 1)), sentence)
    name = rng.choice(words.people["记者"] + words.people["通讯员"])
    return rng.choice(OPENINGS).format(name=name, month=rng.randint(1, 12), day=rng.randint(1, 28)) + sentence


@functools.cache
def vocabulary(seed=1):
    """~300 tags and 80 people, no two of either sharing a pinyin slug (a URL)."""
    rng = random.Random(f"{seed}:vocabulary")
    candidates = [topic + action for topic in TOPICS for action in ACTIONS] + list(TOPICS) + list(WORDS)
    rng.shuffle(candidates)
    tags = distinct_slugs(candidates)[:TAG_COUNT]
    names = distinct_slugs(rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2)))) for _ in range(400))
    people, start = {}, 0
    for role, count in ROLE_COUNTS:
        people[role], start = names[start : start + count], start + count
    return Vocabulary(tags, zipf_cumulative(len(tags), 0.9), people, zipf_cumulative(len(people["记者"]), 0.6))


def distinct_slugs(names):
    """The names in order, dropping any whose slug an earlier name already has."""
    kept = {}
    for name in names:
        kept.setdefault(name_slug(name), name)
    return list(kept.values())


def zipf_cumulative(count, exponent):
    """Cumulative weights by which the first of a list is used most, as tags and bylines are."""
    return list(itertools.accumulate(1 / (rank + 1) ** exponent for rank in range(count)))
