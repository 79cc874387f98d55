"""The demo community: notes with generated photos in Chinese and English by the demo's writers, topics,
likes, collects into boards, comments and replies, follows, hot scores.

Idempotent: a note is known by its writer and title, a board by its owner and name; a note's likes,
collects and comments are made only when the note itself is made, and follows are idempotent toggles,
so running it twice leaves the same counts. Writes go through the services (they keep the counters
right, fill the search index and queue the notifications); photos are drawn at the feed width
(``demo.drawing``) and stored as their WebP renditions on the spot, so they show without a Celery worker.
Only the demo's own people act, and only on the demo's own notes.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import User
from community.models import TITLE_MAX, Board, Note, NoteImage
from community.services.comments import comment_create
from community.services.feeds import note_hot_scores_update
from community.services.interactions import board_create, note_collect, note_like, user_follow
from community.services.notes import note_create
from demo.drawing import encoded, is_chinese, note_photo
from demo.seed import people


@dataclass(frozen=True)
class DemoNote:
    author: str
    category: str
    title: str
    body: str
    photos: int
    location: str = ""


# fmt: off
NOTES = [
    # --- beauty ----------------------------------------------------------------------------------------------
    DemoNote("lily", "beauty", "敏感肌救星面霜", "换季脸颊泛红，用了两周这款修护面霜终于稳住了。质地是偏厚的乳霜，晚上厚涂第二天不搓泥。\n#敏感肌 #护肤 #种草 问了 @kiki_skin 成分也没问题～", 4, "上海·静安"),
    DemoNote("lily", "beauty", "学生党平价防晒", "军训必备！这支防晒不假白不油腻，一支才六十多。\n#学生党 #防晒 #平价好物", 3),
    DemoNote("amy_glow", "beauty", "My dry-skin routine", "Three steps, no nonsense: milky cleanser, a ceramide serum, then a balm at night. My flakes are gone after a month.\n#skincare #dryskin #种草", 3),
    DemoNote("kiki_skin", "beauty", "成分党看这支精华", "烟酰胺浓度5%，搭配泛醇，耐受性不错。建议先局部试用三天。\n#敏感肌 #成分党 #护肤", 2),
    DemoNote("tangtang", "beauty", "宿舍党一周妆容", "一盘眼影画一周，大地色日常又耐看。新手也能上手。\n#学生党 #平价彩妆 #种草", 5),
    DemoNote("amy_glow", "beauty", "Non-greasy sunscreen", "Finally a gel sunscreen that sits well under makeup. No white cast on my medium skin.\n#skincare #sunscreen", 2),
    DemoNote("kiki_skin", "beauty", "刷酸翻车自救记录", "刷酸过度屏障受损，停掉所有功效型产品，只用修护霜+温和洁面，十天恢复。\n#敏感肌 #护肤 #踩坑", 3),
    DemoNote("lily", "beauty", "免税店买的口红", "这次在三亚免税城入了三支，颜色比柜台试色更显白。@wanwan 推荐的果然没错！\n#免税店 #口红 #种草", 4, "三亚"),
    DemoNote("mia_deals", "beauty", "Lip balms, ranked", "Ranked five balms from worst to best. The winner costs less than a coffee.\n#平价好物 #lipcare #haul", 5),
    DemoNote("tangtang", "beauty", "百元内香水推荐", "清新皂感，宿舍里喷不会被嫌弃，留香四小时左右。\n#学生党 #香水 #平价好物", 2),
    DemoNote("amy_glow", "beauty", "Retinol, slowly", "Started 0.2% retinol twice a week. Week four: smoother texture, zero peeling. Go slow!\n#skincare #retinol", 3),
    DemoNote("kiki_skin", "beauty", "敏感肌卸妆怎么选", "卸妆油乳化要彻底，敏感肌更推荐卸妆膏。这三款我都空瓶了。\n#敏感肌 #卸妆 #种草", 4),
    DemoNote("xiaomei", "beauty", "第一次买到正品面膜", "之前总怕买到假货，这次跨境保税仓发货，批次和溯源码都能查。\n#保税仓 #面膜 #种草", 2),
    DemoNote("lily", "beauty", "空瓶记｜十月", "这个月空了7件，回购3件。详细说说哪些值得买，哪些不会再买。\n#空瓶记 #护肤 #敏感肌", 5),
    # --- snacks ----------------------------------------------------------------------------------------------
    DemoNote("snackking", "snacks", "日本便利店零食TOP5", "去了三次东京便利店总结出来的，第一名的抹茶曲奇真的会上瘾。\n#零食测评 #日本 #种草 @leo_eats 你一定要试试", 5, "东京"),
    DemoNote("leo_eats", "snacks", "Korean chips ranked", "Honey butter is overrated. The seaweed ones? Dangerously good.\n#snacks #零食测评 #korea", 4),
    DemoNote("xiaoyu", "snacks", "办公室解馋小零食", "低卡又顶饱的几款，下午三点必备，热量都标在图里啦。\n#零食 #办公室好物 #平价好物", 3),
    DemoNote("snackking", "snacks", "进口巧克力盲测", "找了五个朋友盲测六款巧克力，结果出乎意料，最便宜的居然排第二。\n#零食测评 #巧克力", 4),
    DemoNote("leo_eats", "snacks", "Dried mango showdown", "Philippine vs Thai dried mango. One is chewy candy, the other is actual fruit.\n#snacks #零食测评", 2),
    DemoNote("xiaoyu", "snacks", "学生党宵夜清单", "二十块钱以内的宵夜零食，宿舍囤货首选，不踩雷。\n#学生党 #零食 #宵夜", 3),
    DemoNote("mia_deals", "snacks", "Snack box worth it?", "Opened a 12-country snack box. Half were great, two went straight to my coworkers.\n#snacks #haul #零食测评", 5),
    DemoNote("snackking", "snacks", "澳洲饼干回购三年", "奶香很足，配咖啡刚好，保税仓买比代购便宜一半。\n#零食测评 #保税仓 #回购", 2),
    DemoNote("xiaoyu", "snacks", "一口就爱上的海苔", "薄脆不咸，小朋友也爱吃，@nana_mom 说她家老二天天要。\n#零食 #种草", 3),
    DemoNote("leo_eats", "snacks", "Matcha everything", "I tried nine matcha snacks so you don't have to. Kit Kat still wins.\n#snacks #matcha #零食测评", 4),
    DemoNote("chen_travels", "snacks", "机场免税零食攻略", "登机前必扫的几款，伴手礼送同事很体面。\n#免税店 #零食 #旅行", 3, "浦东机场"),
    DemoNote("snackking", "snacks", "低糖果冻测评", "控糖期也能吃的果冻，口感和普通的几乎没差别。\n#零食测评 #控糖", 2),
    # --- baby ------------------------------------------------------------------------------------------------
    DemoNote("momo_baby", "baby", "新手妈妈待产包清单", "整理了住院三天真正用上的东西，很多网红款其实用不到。\n#母婴好物 #待产包 #新手妈妈", 5),
    DemoNote("nana_mom", "baby", "纸尿裤横评", "五个牌子夏天实测，透气性和腰围贴合度差别很大。\n#母婴好物 #纸尿裤 #种草", 4),
    DemoNote("momo_baby", "baby", "宝宝辅食工具", "辅食机不是必须，这三样小工具反而天天用。\n#母婴好物 #辅食", 3),
    DemoNote("nana_mom", "baby", "Baby bottle I trust", "Tried four bottles with a fussy eater. This wide-neck one ended the bottle wars.\n#babygear #母婴好物", 2),
    DemoNote("momo_baby", "baby", "保税仓奶粉怎么买", "查批次、看溯源、算税费，跨境奶粉一次讲清楚。@xiaomei 问过我这个问题～\n#母婴好物 #保税仓 #跨境购", 3),
    DemoNote("nana_mom", "baby", "宝宝湿疹护理", "医生建议的保湿方法+我们家用下来有效的面霜。\n#母婴好物 #敏感肌 #湿疹", 2),
    DemoNote("momo_baby", "baby", "A stroller for metro", "Light enough to fold with one hand on the metro. Rain cover included.\n#babygear #stroller", 4),
    DemoNote("nana_mom", "baby", "二胎妈妈的收纳", "母婴用品太多？这几个收纳盒让客厅重新清爽。\n#母婴好物 #收纳", 3),
    DemoNote("momo_baby", "baby", "安抚玩具推荐", "出牙期的救星，冷藏一下效果更好，材质很放心。\n#母婴好物 #种草", 2),
    DemoNote("mia_deals", "baby", "Baby gifts under 200", "Shower gifts that parents actually thanked me for. Number three is a winner.\n#babygear #gift", 3),
    DemoNote("nana_mom", "baby", "儿童防晒怎么选", "物理防晒更温和，海边度假必备，附上我们家的使用感受。\n#母婴好物 #防晒 #旅行", 3),
    # --- travel ----------------------------------------------------------------------------------------------
    DemoNote("chen_travels", "travel", "三亚免税城攻略", "提前在线预约、离岛免税额度怎么用、提货点在哪，一篇讲完。\n#免税店 #旅行 #三亚 @wanwan", 5, "三亚"),
    DemoNote("travel_ken", "travel", "Carry-on to Japan", "Ten days, one 35L bag. Packing list and what I regretted not bringing.\n#travel #packing #japan", 4, "Osaka"),
    DemoNote("wanwan", "travel", "海岛游防晒装备", "帽子、冰袖、防晒霜三件套，晒了一周完全没黑。\n#旅行 #防晒 #海岛", 3, "普吉岛"),
    DemoNote("travel_ken", "travel", "Duty-free: worth it?", "Compared prices on 20 items. Perfume yes, chocolate no, electronics it depends.\n#travel #dutyfree #免税店", 3),
    DemoNote("chen_travels", "travel", "一个人的京都", "清晨的伏见稻荷没有人，推荐六点前出发。\n#旅行 #京都", 5, "京都"),
    DemoNote("wanwan", "travel", "行李箱收纳技巧", "压缩袋+分装瓶，二十寸也能装下十天的衣服。\n#旅行 #收纳 #种草", 4),
    DemoNote("travel_ken", "travel", "Best travel adapter", "One adapter, four USB-C ports, works in 150 countries. Survived three years.\n#travel #gear", 2),
    DemoNote("chen_travels", "travel", "首尔三天两晚", "明洞购物、弘大美食、汉江夜景，路线和预算都在这。\n#旅行 #首尔 #学生党", 5, "首尔"),
    DemoNote("wanwan", "travel", "免税店护肤比价", "同一套护肤品，免税店、保税仓、专柜价格对比，差价惊人。\n#免税店 #护肤 #比价", 3),
    DemoNote("travel_ken", "travel", "Lisbon on a budget", "Trams, pastéis de nata and sunsets at the miradouros. Under 60 a day.\n#travel #europe", 4, "Lisbon"),
    DemoNote("shopper", "travel", "第一次跨境购物", "实名认证、关税、物流都比想象中快，五天就到了。\n#跨境购 #保税仓", 1),
    DemoNote("wanwan", "travel", "旅行必带小物", "颈枕、眼罩、分装瓶，长途飞行舒服很多。\n#旅行 #种草", 2),
    # --- bags ------------------------------------------------------------------------------------------------
    DemoNote("bagsbybella", "bags", "Everyday tote review", "Fits a 14-inch laptop, a water bottle and lunch. Six months in, corners still perfect.\n#bags #包包 #workbag", 4),
    DemoNote("bagsbybella", "bags", "Mini bag regrets?", "Cute, yes. Fits my phone and a lip balm. That's it. Honest thoughts inside.\n#bags #minibag", 3),
    DemoNote("tangtang", "bags", "学生党通勤包", "两百块的帆布包，装电脑不变形，颜色很百搭。\n#学生党 #包包 #平价好物", 3),
    DemoNote("mia_deals", "bags", "Bonded-warehouse bag", "Ordered through the bonded warehouse: receipt, serial card and dust bag all there.\n#bags #保税仓 #haul", 4),
    DemoNote("bagsbybella", "bags", "三款腋下包对比", "容量、背感、五金质感逐一对比，最后留下了第二款。\n#包包 #种草", 5),
    DemoNote("xiaomei", "bags", "第一只轻奢包", "纠结了半年终于入手，免税价比专柜便宜一千多。@bagsbybella 帮我挑的颜色～\n#包包 #免税店 #种草", 3),
    DemoNote("bagsbybella", "bags", "How I clean leather", "Soft brush, pH-neutral cleaner, conditioner twice a year. Before and after pics.\n#bags #leathercare", 2),
    DemoNote("tangtang", "bags", "双肩包也能很好看", "上课通勤都能背，侧边有水杯袋，重点是不显背。\n#学生党 #包包", 2),
    DemoNote("chen_travels", "bags", "旅行用的斜挎包", "防盗拉链+轻量尼龙，在欧洲背了一个月很安心。\n#包包 #旅行", 3),
    DemoNote("bagsbybella", "bags", "Work bag under 1000", "Structured, fits A4 folders, looks twice the price. My pick for new grads.\n#bags #workbag #平价好物", 3),
    DemoNote("lily", "bags", "化妆包里有什么", "出门必带的八件小物，全部装进这只小化妆包。\n#包包 #护肤 #种草", 4),
    DemoNote("leo_eats", "bags", "Lunch bag that works", "Insulated, wipe-clean, and keeps yogurt cold till 1pm. Boring but perfect.\n#bags #lunch", 1),
    DemoNote("momo_baby", "bags", "妈咪包实测", "分区多到不用翻找，奶瓶保温层很实用，出门一包搞定。\n#母婴好物 #包包 #妈咪包", 4),
]
# fmt: on

COMMENTS_ZH = [
    "求链接！",
    "已经加入购物车了",
    "这个我也在用，确实好用",
    "请问敏感肌能用吗？",
    "码住，下次去试试",
    "图片好好看",
    "价格多少呀？",
    "姐妹总结得太到位了",
    "踩过雷，这篇救了我",
    "蹲一个后续",
    "保税仓发货多久到呀？",
    "回购第三次了",
    "学生党友好！",
    "被种草了",
    "写得好详细，收藏了",
]
COMMENTS_EN = [
    "Saving this!",
    "Where did you buy it?",
    "Same, can confirm it's great",
    "Is it worth the price?",
    "Great photos",
    "Adding to my list",
    "Thanks for the honest review",
    "Does it come in other colours?",
    "This saved me from a bad purchase",
    "Need a part two!",
]
REPLIES_ZH = [
    "我也想知道",
    "同问！",
    "主页有写哦",
    "保税仓一般三到五天",
    "可以先小样试试",
    "谢谢分享～",
]
REPLIES_EN = [
    "Same question!",
    "Link is in my profile",
    "About a week for me",
    "Totally agree",
    "Thank you!",
]
assert all(len(n.title) <= TITLE_MAX for n in NOTES), "demo titles must fit the 20-character limit"

BOARDS = {
    "beauty": ("护肤清单", "Skincare picks"),
    "snacks": ("想吃的零食", "Snacks to try"),
    "baby": ("母婴好物", "Baby stuff"),
    "travel": ("旅行灵感", "Travel ideas"),
    "bags": ("包包心愿单", "Bag wishlist"),
}


RATIOS = [(3, 4), (3, 4), (3, 4), (1, 1), (4, 3)]
# The word drawn on a category's photos (Chinese, English).
WORDS = {
    "beauty": ("护肤", "GLOW"),
    "snacks": ("零食", "SNACK"),
    "baby": ("母婴", "BABY"),
    "travel": ("旅行", "TRIP"),
    "bags": ("包包", "BAG"),
}


def _photos(demo: DemoNote, *, variant: int, rng: random.Random) -> list[Image.Image]:
    zh, en = WORDS[demo.category]
    word = zh if is_chinese(demo.title) else en
    cover_ratio = rng.choice(RATIOS)
    return [
        note_photo(
            category=demo.category,
            word=word,
            ratio=cover_ratio if index == 0 else rng.choice(RATIOS),
            variant=variant + index,
            index=index,
        )
        for index in range(demo.photos)
    ]


def _renditions_write(note: Note, photos: list[Image.Image]) -> None:
    """Store the renditions of freshly drawn photos at once, so the demo shows without a worker.

    The photos are drawn at the feed width, so one WebP encoding serves both renditions. The rendition
    tasks the note service queued find the images ready and do nothing.
    """
    for row, image in zip(note.images.order_by("position"), photos, strict=True):
        data = encoded(image, "WEBP", quality=80, method=2)
        names = {}
        for field in ("feed", "detail"):
            file_field = getattr(row, field)
            target = file_field.field.generate_filename(row, f"{uuid.uuid4().hex}.webp")
            names[field] = file_field.storage.save(target, ContentFile(data))
        NoteImage.objects.filter(pk=row.pk).update(
            **names, width=image.width, height=image.height, state=NoteImage.State.READY
        )


# --- follows and boards --------------------------------------------------------------------------


def _follows(users: dict[str, User], rng: random.Random) -> None:
    names = sorted(users)
    for name in names:
        others = [n for n in names if n != name]
        for other in rng.sample(others, k=rng.randint(3, 8)):
            user_follow(follower=users[name], followee=users[other])
        # Everybody reads the site's first writers.
        for writer, _nickname, _bio in people.WRITERS:
            if writer != name:
                user_follow(follower=users[name], followee=users[writer])


def _board(user: User, category: str) -> Board:
    zh, en = BOARDS[category]
    name = zh if is_chinese(user.nickname + user.bio) else en
    board = Board.objects.filter(owner=user, name=name).first()
    return board or board_create(owner=user, name=name, is_private=False)


# --- notes -------------------------------------------------------------------------------------------


def _engage(note: Note, demo: DemoNote, users: dict[str, User], rng: random.Random) -> None:
    """Likes, collects (mostly into a public board of the reader's), comments and replies."""
    readers = [u for name, u in sorted(users.items()) if name != demo.author]
    likers = rng.sample(readers, k=rng.randint(2, len(readers)))
    for user in likers:
        note_like(user=user, note=note)
    for user in rng.sample(likers, k=rng.randint(0, max(1, len(likers) // 2))):
        board = _board(user, demo.category) if rng.random() < 0.7 else None
        note_collect(user=user, note=note, board=board)
    pool, replies = (COMMENTS_ZH, REPLIES_ZH) if is_chinese(demo.title) else (COMMENTS_EN, REPLIES_EN)
    author = users[demo.author]
    for user in rng.sample(readers, k=rng.randint(0, 5)):
        comment = comment_create(author=user, note=note, body=rng.choice(pool))
        if rng.random() < 0.5:
            comment_create(author=author, note=note, body=rng.choice(replies), reply_to=comment)
        if rng.random() < 0.25:
            other = rng.choice([u for u in readers if u.pk != user.pk])
            reply = comment_create(author=other, note=note, body=rng.choice(replies), reply_to=comment)
            if rng.random() < 0.5:
                comment_create(author=user, note=note, body=rng.choice(replies), reply_to=reply)


def _note(demo: DemoNote, users: dict[str, User], *, variant: int, rng: random.Random) -> Note | None:
    author = users[demo.author]
    if Note.objects.filter(author=author, title=demo.title).exists():
        return None
    photos = _photos(demo, variant=variant, rng=rng)
    uploads = [
        SimpleUploadedFile(f"demo-{i}.jpg", encoded(p, "JPEG", quality=86), content_type="image/jpeg")
        for i, p in enumerate(photos)
    ]
    note = note_create(
        author=author, title=demo.title, body=demo.body, images=uploads, location=demo.location
    )
    _renditions_write(note, photos)
    return note


def demo_notes() -> dict[tuple[str, str], Note]:
    """The demo's notes that exist, by (writer, title): never a note somebody else wrote."""
    keys = {(n.author, n.title) for n in NOTES}
    found = Note.objects.filter(
        author__username__in={a for a, _t in keys}, title__in={t for _a, t in keys}
    ).select_related("author")
    return {(n.author.username, n.title): n for n in found if (n.author.username, n.title) in keys}


def seed(stdout) -> None:
    """Make the demo community (the demo's people must exist); safe to run again (it adds nothing)."""
    started = time.monotonic()
    users = people.members()
    made: list[Note] = []
    for variant, demo in enumerate(NOTES):
        rng = random.Random(f"{demo.author}:{demo.title}")
        note = _note(demo, users, variant=variant, rng=rng)
        if note is None:
            continue
        _engage(note, demo, users, rng)
        # Spread the notes over the last twelve days, with views, so the feed has a history.
        Note.objects.filter(pk=note.pk).update(
            created_at=timezone.now() - timedelta(hours=rng.uniform(0.5, 12 * 24)),
            view_count=rng.randint(40, 4000),
        )
        made.append(note)
    _follows(users, random.Random(20260101))
    if made:
        note_hot_scores_update(note_ids=[n.pk for n in made])
    stdout.write(
        f"Community: {len(made)} new notes ({len(NOTES)} in the demo) from {len(users)} people, "
        f"in {time.monotonic() - started:.1f}s"
    )
