"""Generate a community of N public notes for the search benchmark, fast.

    .venv/bin/python benchmarks/generate_notes.py --database hs_bench_200k --notes 200000

Creates (or with --recreate, drops and recreates) the database on the PostgreSQL of DATABASE_URL's host
(default 127.0.0.1:5432, user postgres), migrates it, and loads a few hundred users, a few hundred
topics and N notes in Chinese and English written from a vocabulary of lifestyle words (the site's
dictionary words included), with likes/collects/comments counts, topics and search vectors.

Fast because text is segmented once per distinct sentence (notes are made of sentences from a pool),
rows go in with COPY, and the vectors are computed by PostgreSQL from the pre-segmented text with the
same SQL as the site (``community.services.search.VECTOR_SQL``), with the GIN index built after the
load. Deterministic for a given --seed. No images: covers are NULL.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"

# --- vocabulary -----------------------------------------------------------------------------------------
# Categories of a lifestyle site: beauty is one of several, so a beauty word is in a few percent of notes.
CATEGORIES = {
    "beauty": {
        "items": [
            "面霜",
            "防晒",
            "防晒霜",
            "精华",
            "口红",
            "粉底液",
            "眼霜",
            "卸妆油",
            "面膜",
            "爽肤水",
            "洗面奶",
            "气垫",
            "腮红",
            "眉笔",
            "睫毛膏",
            "身体乳",
            "香水",
            "唇釉",
        ],
        "traits": [
            "保湿",
            "控油",
            "美白",
            "抗老",
            "修护",
            "不闷痘",
            "不搓泥",
            "持妆",
            "温和",
            "清爽",
            "滋润",
            "提亮",
            "遮瑕",
            "防水",
        ],
        "people": ["敏感肌", "油皮", "干皮", "混油", "学生党", "痘肌", "熬夜党", "上班族"],
        "brands": [
            "CeraVe",
            "La Roche-Posay",
            "Estee Lauder",
            "Lancome",
            "SK-II",
            "Kiehl's",
            "Anessa",
            "Shiseido",
            "YSL",
            "MAC",
            "Clinique",
            "The Ordinary",
            "珀莱雅",
            "薇诺娜",
            "花西子",
            "完美日记",
            "自然堂",
            "百雀羚",
        ],
        "english": [
            "moisturizer",
            "sunscreen",
            "serum",
            "lipstick",
            "foundation",
            "cleanser",
            "toner",
            "skincare",
            "makeup",
            "hydrating",
            "sensitive skin",
            "dupe",
            "glow",
        ],
    },
    "fashion": {
        "items": [
            "连衣裙",
            "卫衣",
            "牛仔裤",
            "大衣",
            "羽绒服",
            "运动鞋",
            "包包",
            "帆布鞋",
            "针织衫",
            "西装",
            "半身裙",
            "衬衫",
        ],
        "traits": ["显瘦", "百搭", "高级感", "通勤", "温柔", "复古", "小个子", "遮肉", "舒适", "有质感"],
        "people": ["小个子", "梨形身材", "微胖", "学生党", "上班族", "宝妈"],
        "brands": [
            "Uniqlo",
            "Zara",
            "COS",
            "Nike",
            "Adidas",
            "New Balance",
            "Converse",
            "Coach",
            "Longchamp",
            "太平鸟",
            "李宁",
            "安踏",
        ],
        "english": [
            "outfit",
            "ootd",
            "sneakers",
            "dress",
            "hoodie",
            "jeans",
            "vintage",
            "minimal",
            "oversized",
            "streetwear",
        ],
    },
    "food": {
        "items": [
            "火锅",
            "咖啡",
            "奶茶",
            "蛋糕",
            "面包",
            "烧烤",
            "早餐",
            "零食",
            "螺蛳粉",
            "寿司",
            "拉面",
            "甜品",
            "牛排",
        ],
        "traits": [
            "好吃",
            "排队",
            "人均不贵",
            "性价比高",
            "踩雷",
            "宝藏小店",
            "必点",
            "低卡",
            "超级香",
            "回购",
        ],
        "people": ["吃货", "减脂党", "打工人", "学生党", "情侣"],
        "brands": [
            "海底捞",
            "喜茶",
            "奈雪",
            "瑞幸",
            "星巴克",
            "Starbucks",
            "Costco",
            "Manner",
            "三只松鼠",
            "良品铺子",
        ],
        "english": ["coffee", "brunch", "dessert", "bakery", "recipe", "latte", "ramen", "healthy", "foodie"],
    },
    "travel": {
        "items": ["攻略", "民宿", "酒店", "海岛", "古镇", "露营", "自驾", "机票", "景点", "徒步"],
        "traits": ["人少景美", "出片", "避坑", "小众", "性价比高", "值得", "治愈", "超详细"],
        "people": ["特种兵", "情侣", "亲子", "独自旅行", "学生党"],
        "brands": [
            "三亚",
            "大理",
            "成都",
            "重庆",
            "杭州",
            "东京",
            "Bangkok",
            "Paris",
            "新疆",
            "厦门",
            "西安",
            "香港",
        ],
        "english": ["travel", "itinerary", "hotel", "beach", "hiking", "weekend", "trip", "guide", "camping"],
    },
    "baby": {
        "items": ["奶粉", "纸尿裤", "辅食", "婴儿车", "安全座椅", "绘本", "玩具", "湿巾", "奶瓶"],
        "traits": ["安全", "不红屁屁", "好冲泡", "宝宝爱吃", "轻便", "不踩雷", "无添加"],
        "people": ["新手妈妈", "宝妈", "二胎", "孕期"],
        "brands": ["爱他美", "美素佳儿", "Aptamil", "帮宝适", "Pampers", "好奇", "花王", "Babycare"],
        "english": ["formula", "diapers", "stroller", "baby", "toddler", "organic"],
    },
    "home": {
        "items": ["收纳", "香薰", "床品", "扫地机器人", "空气炸锅", "咖啡机", "台灯", "地毯", "绿植"],
        "traits": ["好用", "颜值高", "实用", "提升幸福感", "平价", "租房友好", "极简"],
        "people": ["租房党", "打工人", "新婚", "独居"],
        "brands": ["IKEA", "宜家", "无印良品", "MUJI", "戴森", "Dyson", "小米", "石头", "Nespresso"],
        "english": ["storage", "cozy", "decor", "minimalist", "room tour", "aesthetic", "organizing"],
    },
    "digital": {
        "items": ["手机", "耳机", "平板", "笔记本", "相机", "键盘", "手表", "充电宝"],
        "traits": ["续航强", "拍照好", "性价比高", "颜值高", "降噪", "轻薄", "流畅"],
        "people": ["学生党", "打工人", "摄影爱好者", "游戏党"],
        "brands": ["iPhone", "华为", "小米", "Sony", "AirPods", "iPad", "MacBook", "Kindle", "大疆", "Canon"],
        "english": ["review", "unboxing", "battery", "camera", "noise cancelling", "setup", "tech"],
    },
}
CATEGORY_WEIGHTS = {"beauty": 3, "fashion": 3, "food": 3, "travel": 2, "baby": 1, "home": 2, "digital": 2}
DOMAIN = ["种草", "拔草", "好物", "平替", "测评", "开箱", "无限回购", "空瓶", "正品", "海淘", "保税仓",
          "跨境", "双十一", "黑五", "秒杀", "小红书", "笔记"]  # fmt: skip

CN_TEMPLATES = [
    "{people}一定要试试这款{brand}{item}，{trait}真的绝了。",
    "最近{domain}了{brand}的{item}，{trait}，已经{domain2}。",
    "说实话这个{item}{trait}，但是价格有点贵，可以找{domain}。",
    "{brand}{item}{domain}，{people}闭眼入！",
    "用了一个月的{item}，{trait}，{people}也可以放心用。",
    "姐妹们，{item}我只推荐{brand}，{trait}又{trait2}。",
    "今天给大家分享一下我的{item}{domain}，{trait}是真的。",
    "{item}踩雷合集：不{trait}的千万别买，{people}慎入。",
    "第{n}次回购{brand}{item}了，{trait}，没有之一。",
    "{people}的{item}清单来啦，{trait}{trait2}都有。",
    "跟着{domain}买的{item}，到手发现{trait}，开心。",
    "这是我用过最{trait}的{item}，{brand}yyds！",
]
EN_TEMPLATES = [
    "Honestly the {brand} {english} is {adj}.",
    "My {english} routine for {season}, all {adj} picks.",
    "Tried the viral {english} from {brand}: {adj}, would buy again.",
    "{brand} {english} review after {n} weeks, {adj} and worth it.",
    "If you want a {adj} {english}, start with {brand}.",
]
ADJECTIVES = ["amazing", "affordable", "underrated", "overrated", "gentle", "lightweight", "cozy", "classic",
              "cute", "practical", "stunning", "reliable"]  # fmt: skip
SEASONS = ["winter", "summer", "spring", "autumn", "travel", "work", "school"]
FILLERS = ["真的很好用", "不是广告", "纯分享", "自用无广", "欢迎交流", "评论区见", "码住", "冲鸭", "太爱了",
           "姐妹们冲", "建议收藏", "个人感受"]  # fmt: skip
# The long tail: details people mention now and then, picked with Zipf-like weights (the first often,
# the last in about one note in a thousand), so the benchmark has rare two-character words too.
TAIL = ["质地", "口碑", "香味", "包装", "色号", "肤感", "成分", "气味", "手感", "做工", "尺码", "面料",
        "口感", "甜度", "环境", "服务", "停车", "交通", "售后", "物流", "赠品", "小样", "试用", "专柜",
        "免税", "折扣", "满减", "凑单", "囤货", "国货", "进口", "限定", "联名", "礼盒", "节日", "生日",
        "约会", "通勤", "出差", "宿舍", "毕业", "面试", "婚礼", "年会", "春游", "秋游", "夜市", "早市",
        "菜场", "商场", "地铁", "公交", "高铁", "航班", "签证", "汇率", "关税", "清关", "海关", "直邮",
        "拼单", "团购", "秒杀", "抢购", "预售", "尾款", "定金", "返场", "补货", "断货", "缺货", "现货",
        "代购", "鉴定", "防伪", "溯源", "批号", "保质", "开封", "储存", "避光", "冷藏", "密封", "分装",
        "旅行", "便携", "迷你", "大容", "补充", "替换", "芯子", "刷头", "粉扑", "棉签", "化妆", "卸甲",
        "美甲", "染发", "烫发", "护发", "头皮", "发质", "脱发", "白发", "刘海", "发型", "发色", "发圈",
        "耳环", "项链", "戒指", "手链", "胸针", "发夹", "墨镜", "围巾", "手套", "袜子", "腰带", "领带",
        "钱包", "卡包", "钥匙", "雨伞", "水杯", "饭盒", "抱枕", "拖鞋", "睡衣", "浴巾", "牙刷", "牙膏"]  # fmt: skip
TAIL_WEIGHTS = [1 / (rank + 1) for rank in range(len(TAIL))]

TITLE_TEMPLATES = [
    "{brand}{item}测评",
    "{people}的{item}推荐",
    "{item}{trait}合集",
    "{domain}｜{item}",
    "{item}红黑榜",
    "被问爆的{item}",
    "{brand} {english}",
    "{item}避坑指南",
    "{people}必备{item}",
]
NICK_PARTS = ["小", "阿", "Miss", "Mr", "大", "是", "爱吃", "不吃", "今天也要", "momo", "Lily", "Coco",
              "Nana", "Yuki", "甜", "酱", "桃子", "橘子", "柚子", "芒果", "thinking", "daily"]  # fmt: skip

SENTENCE_POOL = 24_000
TITLE_POOL = 6_000


def _fill(rng: random.Random, template: str, cat: dict) -> str:
    return template.format(
        people=rng.choice(cat["people"]),
        brand=rng.choice(cat["brands"]),
        item=rng.choice(cat["items"]),
        trait=rng.choice(cat["traits"]),
        trait2=rng.choice(cat["traits"]),
        domain=rng.choice(DOMAIN),
        domain2=rng.choice(DOMAIN),
        english=rng.choice(cat["english"]),
        adj=rng.choice(ADJECTIVES),
        season=rng.choice(SEASONS),
        n=rng.randint(2, 9),
    )


def build_pools(rng: random.Random):
    """Sentences and titles per category, each segmented once: [(text, segmented)]."""
    from core import segment

    sentences: dict[str, list[tuple[str, str]]] = {}
    titles: dict[str, list[tuple[str, str]]] = {}
    per_cat_sentences = SENTENCE_POOL // len(CATEGORIES)
    per_cat_titles = TITLE_POOL // len(CATEGORIES)
    for name, cat in CATEGORIES.items():
        pool = set()
        for _attempt in range(per_cat_sentences * 3):
            if len(pool) >= per_cat_sentences:
                break
            if rng.random() < 0.25:
                text = _fill(rng, rng.choice(EN_TEMPLATES), cat) + " "
            else:
                text = _fill(rng, rng.choice(CN_TEMPLATES), cat)
                if rng.random() < 0.3:
                    text += rng.choice(FILLERS) + "～"
                if rng.random() < 0.3:
                    text += "说到" + rng.choices(TAIL, TAIL_WEIGHTS)[0] + "也还行。"
            pool.add(text)
        sentences[name] = [(s, segment.segment(s)) for s in sorted(pool)]
        tpool = set()
        for _attempt in range(per_cat_titles * 3):
            title = _fill(rng, rng.choice(TITLE_TEMPLATES), cat)[:20].strip()
            if title:
                tpool.add(title)
        titles[name] = [(t, segment.segment(t)) for t in sorted(tpool)]
    return sentences, titles


def build_topics(rng: random.Random) -> list[tuple[str, str]]:
    """(category, topic name): a few hundred topics such as 敏感肌护肤, 面霜推荐, ootd."""
    names: dict[str, str] = {}
    for cat_name, cat in CATEGORIES.items():
        for item in cat["items"]:
            for suffix in ("推荐", "测评", "分享"):
                names.setdefault(f"{item}{suffix}", cat_name)
        for people in cat["people"]:
            names.setdefault(f"{people}好物", cat_name)
        for word in cat["english"]:
            if " " not in word:
                names.setdefault(word, cat_name)
    for word in DOMAIN:
        names.setdefault(word, rng.choice(list(CATEGORIES)))
    return sorted((cat, name) for name, cat in names.items())


# --- database -------------------------------------------------------------------------------------------


def _server_url() -> str:
    return os.environ.get("BENCH_SERVER_URL", DEFAULT_SERVER)


def database_url(name: str) -> str:
    parts = urlsplit(_server_url())
    return urlunsplit(parts._replace(path="/" + name))


def _connect(url: str):
    import psycopg2

    parts = urlsplit(url)
    return psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname=parts.path.lstrip("/"),
    )


def database_prepare(name: str, *, recreate: bool) -> None:
    admin = _connect(_server_url())
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if exists and recreate:
            cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    env = {**os.environ, "DATABASE_URL": database_url(name), "DEBUG": "0", "DEMO": "1"}
    env.setdefault("SECRET_KEY", "benchmark-only-not-secret")
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "--skip-checks", "-v", "0"],
        check=True,
        cwd=ROOT,
        env=env,
    )


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(v) for v in row))
        buffer.write("\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def generate(name: str, *, notes: int, users: int, seed: int, recreate: bool) -> dict:
    started = time.perf_counter()
    timings: dict[str, float] = {}
    database_prepare(name, recreate=recreate)
    timings["create + migrate"] = time.perf_counter() - started

    from community.services.search import VECTOR_SQL

    rng = random.Random(seed)
    mark = time.perf_counter()
    sentences, titles = build_pools(rng)
    topics = build_topics(rng)
    timings["segment the sentence pool"] = time.perf_counter() - mark

    conn = _connect(database_url(name))
    cursor = conn.cursor()
    cursor.execute("SELECT count(*) FROM community_note")
    if cursor.fetchone()[0]:
        raise SystemExit(f"{name} already has notes: pass --recreate")

    now = datetime.now(UTC).replace(microsecond=0)
    mark = time.perf_counter()
    cursor.execute("SELECT coalesce(max(id), 0) FROM accounts_user")
    first_user = cursor.fetchone()[0] + 1
    user_rows = []
    for i in range(users):
        nick = "".join(rng.sample(NICK_PARTS, 2)) + str(rng.randint(1, 999))
        user_rows.append(
            (first_user + i, "!unusable", False, f"bench{i}", "", "", "", False, True,
             now - timedelta(days=400), nick[:24], "", f"bench user {i}", None, False, False)
        )  # fmt: skip
    _copy(
        cursor,
        "accounts_user",
        ["id", "password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff",
         "is_active", "date_joined", "nickname", "avatar", "bio", "phone", "likes_private",
         "collects_private"],
        user_rows,
    )  # fmt: skip
    topic_rows = [(i + 1, topic, 0, now - timedelta(days=400)) for i, (_cat, topic) in enumerate(topics)]
    _copy(cursor, "community_topic", ["id", "name", "note_count", "created_at"], topic_rows)
    topics_of: dict[str, list[tuple[int, str]]] = {}
    for topic_id, (cat, topic) in enumerate(topics, start=1):
        topics_of.setdefault(cat, []).append((topic_id, topic))
    timings["users and topics"] = time.perf_counter() - mark

    # Notes: a staging table of pre-segmented text, then one INSERT ... SELECT computes the vectors.
    mark = time.perf_counter()
    cursor.execute(
        "CREATE UNLOGGED TABLE bench_note_stage (id bigint, author_id bigint, title text, body text, "
        "location text, visibility text, status text, like_count int, collect_count int, "
        "comment_count int, view_count bigint, hot_score float8, created_at timestamptz, "
        "seg_title text, seg_topics text, seg_body text, seg_location text)"
    )
    cats = list(CATEGORY_WEIGHTS)
    weights = [CATEGORY_WEIGHTS[c] for c in cats]
    span = timedelta(days=365)
    links: list[tuple[int, int]] = []
    topic_counts: dict[int, int] = {}
    locations = ["上海", "北京", "广州", "深圳", "杭州", "成都", "Shanghai", "Hong Kong", "", "", "", ""]

    def note_rows():
        for i in range(notes):
            note_id = i + 1
            cat = rng.choices(cats, weights)[0]
            title, seg_title = rng.choice(titles[cat])
            parts = [rng.choice(sentences[cat]) for _ in range(rng.randint(3, 8))]
            if rng.random() < 0.2:
                other = rng.choice(cats)
                parts.append(rng.choice(sentences[other]))
            chosen = rng.sample(topics_of[cat], k=rng.randint(0, 3))
            tags = " ".join(f"#{t}" for _id, t in chosen)
            body = "".join(p for p, _s in parts).strip() + ("\n" + tags if tags else "")
            body = body[:1000]
            seg_body = " ".join(s for _p, s in parts if s) + (" " + " ".join(
                s for _id, t in chosen if (s := _seg_topic(t))
            ) if chosen else "")  # fmt: skip
            seg_topics = " ".join(s for t in sorted(t for _id, t in chosen) if (s := _seg_topic(t)))
            for topic_id, _t in chosen:
                links.append((note_id, topic_id))
                topic_counts[topic_id] = topic_counts.get(topic_id, 0) + 1
            location = rng.choice(locations)
            likes = int(math.exp(rng.gauss(2.5, 1.8))) if rng.random() < 0.9 else 0
            collects = int(likes * rng.uniform(0.1, 0.6))
            comments = int(likes * rng.uniform(0.02, 0.2))
            created = now - span + span * (i / max(notes, 1))
            age_hours = (now - created).total_seconds() / 3600
            hot = (likes + 2 * collects + 3 * comments) / (age_hours + 2) ** 1.5
            roll = rng.random()
            status, visibility = "published", "public"
            if roll < 0.01:
                status = "hidden"
            elif roll < 0.02:
                status = "under_review"
            elif roll < 0.04:
                visibility = "private"
            yield (
                note_id, first_user + rng.randrange(users), title, body, location, visibility, status,
                likes, collects, comments, likes * rng.randint(5, 40), hot, created,
                seg_title, seg_topics, seg_body, _seg_topic(location),
            )  # fmt: skip

    seg_cache: dict[str, str] = {}

    def _seg_topic(text: str) -> str:
        if text not in seg_cache:
            from core import segment

            seg_cache[text] = segment.segment(text)
        return seg_cache[text]

    columns = ["id", "author_id", "title", "body", "location", "visibility", "status", "like_count",
               "collect_count", "comment_count", "view_count", "hot_score", "created_at", "seg_title",
               "seg_topics", "seg_body", "seg_location"]  # fmt: skip
    batch = 20_000
    rows = note_rows()
    while True:
        chunk = [row for _, row in zip(range(batch), rows, strict=False)]
        if not chunk:
            break
        _copy(cursor, "bench_note_stage", columns, chunk)
    timings["generate + COPY notes"] = time.perf_counter() - mark

    mark = time.perf_counter()
    cursor.execute("SET maintenance_work_mem = '512MB'")
    cursor.execute("DROP INDEX IF EXISTS note_search")
    vector = VECTOR_SQL.format(
        title="seg_title", topics="seg_topics", body="seg_body", location="seg_location"
    )
    cursor.execute(
        "INSERT INTO community_note (id, author_id, title, body, location, visibility, status, like_count, "
        "collect_count, comment_count, view_count, hot_score, created_at, updated_at, search_vector) "
        "SELECT id, author_id, title, body, location, visibility, status, like_count, collect_count, "
        f"comment_count, view_count, hot_score, created_at, created_at, {vector} FROM bench_note_stage"  # noqa: S608
    )
    cursor.execute("DROP TABLE bench_note_stage")
    timings["vectors (INSERT ... SELECT to_tsvector)"] = time.perf_counter() - mark
    mark = time.perf_counter()
    _copy(cursor, "community_note_topics", ["note_id", "topic_id"], links)
    cursor.executemany(
        "UPDATE community_topic SET note_count = %s WHERE id = %s",
        [(count, topic_id) for topic_id, count in topic_counts.items()],
    )
    for table in ("accounts_user", "community_topic", "community_note", "community_note_topics"):
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
        )
    timings["topics links"] = time.perf_counter() - mark
    conn.commit()  # runs the deferred foreign-key checks; an index can't be built while they are pending
    mark = time.perf_counter()
    cursor.execute("SET maintenance_work_mem = '512MB'")
    cursor.execute("CREATE INDEX note_search ON community_note USING gin (search_vector)")
    conn.commit()
    timings["GIN index"] = time.perf_counter() - mark
    mark = time.perf_counter()
    conn.autocommit = True
    cursor.execute("VACUUM ANALYZE")
    timings["VACUUM ANALYZE"] = time.perf_counter() - mark
    cursor.execute("SELECT pg_size_pretty(pg_relation_size('note_search')), "
                   "pg_size_pretty(pg_total_relation_size('community_note'))")  # fmt: skip
    index_size, table_size = cursor.fetchone()
    conn.close()
    timings["total"] = time.perf_counter() - started
    return {"database": name, "notes": notes, "users": users, "timings": timings,
            "index_size": index_size, "table_size": table_size}  # fmt: skip


def setup_django(name: str) -> None:
    os.environ["DATABASE_URL"] = database_url(name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="hs_bench")
    parser.add_argument("--notes", type=int, default=200_000)
    parser.add_argument("--users", type=int, default=400)
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--recreate", action="store_true", help="drop the database first if it exists")
    args = parser.parse_args()
    setup_django(args.database)
    result = generate(
        args.database, notes=args.notes, users=args.users, seed=args.seed, recreate=args.recreate
    )
    print(f"{result['database']}: {result['notes']} notes, {result['users']} users; "
          f"table {result['table_size']}, GIN index {result['index_size']}")  # fmt: skip
    for step, seconds in result["timings"].items():
        print(f"  {step:<42} {seconds:7.1f} s")


if __name__ == "__main__":
    main()
