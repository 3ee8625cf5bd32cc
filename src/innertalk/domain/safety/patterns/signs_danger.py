"""Warning-sign rules, both languages, for self-harm urges, a child disclosing sexual abuse
and intent to harm others (see ``patterns.en_signs`` for the design).

- **Self-harm urges** in the present: an urge word ("want", "itching", "тянет", "руки
  чешутся") joined to the act with nothing after it that makes it ordinary ("cut *my
  hair*"), a relapse ("cut again", "опять порезалась"), or the act until it hurts.
- **A child's disclosure**: an adult or relative joined to what children say happens —
  being made to do or watch things, being touched "there" or at night, someone coming into
  the bed or room, being told it is a secret or that nobody will believe them.
- **Harm to others**: wishing someone dead or suffering, fantasies of hurting people, a
  weapon bought *for* someone, the concrete ways ("run him over", "столкнуть с лестницы").
"""

from __future__ import annotations

from innertalk.domain.safety.patterns.en_danger import RELATION
from innertalk.domain.safety.rules import Rule, rule
from innertalk.domain.safety.signals import CrisisCategory, Severity

SH = CrisisCategory.SELF_HARM
HO = CrisisCategory.HARM_TO_OTHERS
AB = CrisisCategory.ABUSE
HIGH, CONCERN = Severity.HIGH, Severity.CONCERN

SH_MOD = (
    r"(?: (?:again|so bad(?:ly)?|really bad(?:ly)?|tonight|rn|right now|deeper|this time|so"
    r" much|badly|myself))*"
)
CA = (
    rf"(?:he|she|they|someone|somebody|a man|an adult|a grown man|my (?:[^ ,.]+ )?{RELATION}"
    r"|our (?:[^ ,.]+ )?(?:uncle|stepdad|coach|neighbou?r)|[^ ,.]+'s (?:friend|boyfriend"
    r"|husband|brother|dad))"
)
"""Who a child names: "he", "my stepdad", "mom's boyfriend", "dad's friend"."""
CA_RU = (
    r"(?:он|она|они|отчим|отец|папа|дядя|дед|дедушка|брат|тренер|учитель|сосед|мужчина"
    r"|взрослый|кто-то|парень|муж|[^ ,.]+ (?:друг|парень|муж|брат))"
)
HARM_OBJ = (
    r"(?:him|her|them|people|someone|somebody|everyone|everybody|my (?:[^ ,.]+ )?(?:baby|kids"
    r"|children|son|daughter|brother|sister|husband|wife|boss|roommate|stepdad|dad|mom|ex)"
    r"|the baby|kids|children)"
)
DATIVE = r"(?:ему|ей|им|детям|ребенку|малышу|сыну|дочери|мужу|жене|людям|кому-нибудь|кому-то)"

# fmt: off
RULES: tuple[Rule, ...] = (
    rule("en.sh_urge", SH, CONCERN,
         r"(?:want|wanna|need|needs|itching|craving|tempted|gonna|going|about|ready|dying"
         rf"|desperate) (?:to )?(?:cut|burn)(?: myself)?{SH_MOD}(?= [,.]| (?:and|but|because"
         r"|i|so)(?!\S)|$)|(?:want|wanna|need|crave|craving) (?:to )?(?:see|feel) (?:my own"
         r" |the )?(?:blood|pain)(?= [,.]|$| on purpose| again)|craving (?:the )?(?:blade"
         r"|razor|cutting)|(?:i )?(?:cut|burned|burnt) again(?= [,.]|$| today| tonight| last"
         r" night| yesterday)|relapsed (?:and|,) (?:cut|burned|hurt myself)|(?:about to|going to"
         r"|gonna|want to|wanna) (?:grab|get|take|reach for|pick up) (?:the|my|a) (?:razor"
         r"|blade)|(?:bang|banging|hit|hitting) my head (?:against|on|into) (?:the|a) (?:wall"
         r"|floor|desk) (?:until|till|to) (?:it hurts|it bleeds|i bleed|bleeding)|scratch\w*"
         r" (?:my )?[^ ,.]+ (?:till|until|til) (?:they|it) (?:bled|bleed|bleeds|were raw)|only"
         r" thing that helps is (?:cutting|hurting myself|burning myself|the blade|pain)"
         r"|(?:don't|dont|do not) want to stop (?:cutting|hurting myself|burning myself)"
         r"|(?:keep|kept|been) (?:hitting|punching|slapping|burning|cutting|scratching|biting)"
         r" (?:myself|my (?:arm|arms|legs|face|skin|wrists))|(?:hit|punch|slap|bite|burn)"
         r" myself (?:until|till) (?:i|it) (?:bruise|bleed)",
         anchors="cut burn blood pain blade razor cutting relapsed head scratch helps stop"
                 " hitting punching slapping biting myself",
         negatable=False,
         after=r"to shave|and shave|for (?:my|the) (?:legs|beard|face)"),
    rule("en.child_made_to", AB, CONCERN,
         rf"{CA} (?:[^ ,.]+ ){{0,4}}?(?:makes|made|forces|forced|tells|told) (?P<me>me) (?:to )?"
         r"(?:do (?:things|stuff|sexual things|it)|touch (?:him|her|his|it|them)|take (?:off )?my"
         r" clothes(?: off)?|undress|get undressed|watch (?:videos|porn|him|them)|kiss (?:him"
         r"|her)|show (?:him|her) my|send (?:him|her) (?:pics|photos|nudes))",
         anchors="make made forc tell told",
         negatable=False,
         after=r"around|at|for (?:school|chores)|like (?:chores|homework|dishes)|(?:in|on) the"
         r" (?:house|garden|yard)|every|before"),
    rule("en.child_secret", AB, CONCERN,
         rf"{CA} (?:[^ ,.]+ ){{0,3}}?(?:says|said|told me|tells me|warned me)(?: that)? (?:it's"
         r"|its|it is) (?:our|a) (?:little )?secret|{CA} (?:[^ ,.]+ ){{0,3}}?(?:says|said|told"
         r" me|tells me|warned me) (?:not to tell|to keep (?:it|this) (?:a )?secret|no one will"
         r" believe me|nobody will believe me)|if (?P<me>i) (?:tell|told) (?:anyone|anybody|som"
         r"eone|mom"
         r"|my mom|mum)(?: [^ ,.]+){0,2}?(?: ,)? (?:(?:he|she)(?:'ll|'d| will| would) (?:hurt"
         r"|kill) (?:me|my [^ ,.]+)|(?:i'll|i will|i'd) get in trouble)",
         anchors="secret believe tell told",
         negatable=False,
         after=r"(?:, )?(?:the|a) (?:surprise|party|gift|present)|until|till|for (?:her|his|the)"),
    rule("en.child_touch", AB, CONCERN,
         rf"{CA} (?:[^ ,.]+ ){{0,2}}?(?:comes|came|gets|got|sneaks|sneaked|crawls|climbs) (?:in"
         rf"|into) my (?:room|bed)|{CA} (?:[^ ,.]+ ){{0,3}}?(?:touches|touched|keeps touching"
         r"|feels up|felt up|gropes|groped|fondles|fondled) (?:(?P<me>me)|(?P<other>her|him))"
         r"|touch(?:es|ed|ing)? (?:(?P<me2>my)|(?P<other2>her|his)) (?:private parts|privates"
         r"|private area|breasts|crotch|down there)|(?:grown|older|adult) (?:man|guy|woman"
         r"|person) (?:[^ ,.]+ ){0,3}?(?:sending|sends|sent|asking|asks|asked|wants) (?:me )?"
         r"(?:for )?(?:pics|photos|nudes|pictures|videos|mine)",
         anchors="room bed touch feel felt grop fondl grown older adult",
         negatable=False,
         after=r"(?:at night |every night |sometimes )?(?:to|and) (?:say|check|kiss|tuck|wake"
         r"|turn|give|bring|get|ask|tell|borrow|take|says|wakes|kisses|tucks|checks)|on the"
         r" (?:shoulder|arm|back|hand|head)|gently|by accident|without knocking"),
    rule("en.harm_wish", HO, CONCERN,
         r"(?:want|wanna|wish|hope) (?:(?:him|her|them|my [^ ,.]+|everyone|everybody|all of"
         r" them) )(?:all )?(?:dead|to die|to suffer)|(?:want|wanna) (?:to )?see (?:him|her"
         r"|them) (?:suffer|bleed|die|dead|in pain)|(?:fantasi[sz]\w*|dream\w*|thinking"
         rf"|imagin\w*|thoughts) (?:about |of )?(?:hurting|killing|stabbing|strangling|shooting"
         rf"|beating|poisoning|drowning|smothering) {HARM_OBJ}|(?:could|might|may|afraid i'll"
         rf"|scared i'll|afraid i might|scared i might) (?:really )?(?:hurt|kill|attack) "
         rf"{HARM_OBJ}"
         r"|(?:bought|got|sharpened) (?:a|the|my) (?:knife|gun|axe|bat) (?:for|to use on)"
         rf" (?:him|her|them|my [^ ,.]+)|(?:make|making) (?:him|her|them) (?:bleed|suffer|pay in"
         r" blood)|(?P<intent>going to|gonna|i'll|will) (?:burn|torch) (?:their|his|her)"
         r" (?:house|car|place)|(?P<intent2>going to|gonna|i'll|will) run (?:him|her|them)"
         r" over|(?:break|snap) (?:his|her) neck|(?:gun|knife|rifle) and (?:end|shoot|kill"
         r"|stab) (?:him|her|them)|(?:want|wanna|going) to push (?:him|her|them) (?:down the"
         r" stairs|off|in front of)|(?:kill|hurt|stab|shoot) (?P<other>his|her|their) (?:ex|wife"
         r"|husband|girlfriend|boyfriend|dad|mom|boss|teacher)",
         anchors="dead die suffer bleed blood pain hurting killing stabbing strangling shootin"
                 "g beating"
                 " poisoning drowning smothering hurt kill attack knife gun axe bat burn torch"
                 " over neck push stab shoot",
         topical=True,
         after=r"in (?:the|my) (?:game|dreams?)|at (?:chess|cards)"),
    rule("en.sh_now", SH, CONCERN,
         r"(?:i'm |im |i am )?cutting (?:myself )?(?:rn|right now)(?= [,.]|$)|burning myself"
         r" (?:rn|right now)|cuts? (?:are |were |went |go )?deeper than (?:usual|before|last"
         r" time|ever)",
         anchors="rn right deeper"),
    rule("en.threat_plan", HO, HIGH,
         r"(?P<me>make sure) (?:he|she|they) (?:can't|cant|can not|won't|wont) (?:walk|talk|see)"
         r" (?:again|for a while|straight|for weeks)|(?:wait|waiting) for (?:him|her|them)"
         r" (?:after|behind|outside) (?:[^ ,.]+ ){0,4}?with (?:a |my |the )?(?:bat|knife|crowbar"
         r"|bar|pipe|hammer)",
         anchors="sure wait waiting"),
    rule("ru.sh_on_purpose", SH, CONCERN,
         r"(?:обожгла?с[ья]|обжегс[яь]|порезал(?:ась|ся)|поцарапал(?:ась|ся)|обожгла? себя"
         r"|порезала? себя) (?:[^ ,.]+ ){0,3}?(?:нарочно|специально|намеренно|назло себе)"
         r"|(?:нарочно|специально|намеренно) (?:обожгла?с[ья]|обжегс[яь]|порезал(?:ась|ся)"
         r"|обожгла? себя|порезала? себя)|порезы (?:сегодня |опять |уже |стали )?глубже",
         anchors="нарочно специально намеренно назло порезы"),
    rule("ru.threat_weapon", HO, HIGH,
         r"(?:(?P<me>встречу|подкараулю|поймаю|жду)|подкараулить|встретить) (?:его|ее|их|этих"
         r" (?:двоих|троих)|[^ ,.]+)(?: [^ ,.]+){0,3}? (?:монтажкой|битой|ножом|арматурой"
         r"|кастетом|трубой|топором)|(?:он|она|они|все) (?:у меня )?кровью умо(?:ется|ются)"
         r"|боюсь(?: ,)? (?:что )?(?:ей|ему|им|ребенку|малышу|дочке|сыну) (?:[^ ,.]+ )?"
         r"(?:навредить|наврежу|сделать больно|сделаю больно)",
         anchors="монтажк битой ножом арматур кастет трубой топором умоет умоют боюсь"),
    rule("ru.sh_urge", SH, CONCERN,
         r"(?:хочу|хочется|хотелось|тянет|руки чешутся|нужно|надо|перестать) (?:опять |снова"
         r" |так )?(?:порезаться|резаться|порезать себя|резать себя|себя (?:по)?резать|(?:взять"
         r"|схватить|достать) (?:лезвие|бритву|лезвия)|увидеть (?:свою )?кровь|почувствовать"
         r" (?:физическую )?боль|сделать себе больно)|(?:опять|снова|сорвал(?:ась|ся) и)"
         r" (?:(?P<intent>порежусь)|порезал(?:ась|ся)|режусь)|(?:расцарапала?|расцарапал"
         r"|царапаю|царапала?) (?:себе )?(?:руки|кожу|ноги|лицо|запястья) (?:до крови|в кровь)"
         r"|бьюсь головой (?:о|об) (?:стену|пол|стол)(?: [,.])? (?:пока не (?:станет больно|пойдет"
         r" кровь)|до крови|до синяков)|(?:только|лишь) (?:порезы|боль|лезвие|селфхарм) (?:мне )?"
         r"(?:и )?(?:помога[^ ]*|спаса[^ ]*)|(?:ударила?|ударил|ударяю|бью|била?) себя"
         r" (?:кулаком|по (?:лицу|голове|ногам|рукам))",
         anchors="порез рез реж лезви бритв кровь боль больно пореж крови головой порезы себя",
         negatable=False,
         after=r"о|об|ножом|стеклом|бумагой|когда|пока|при|случайно|в (?:мышцах|ногах)|после"
         r"|от (?:тренир[^ ]*|спорт[^ ]*)"),
    rule("ru.child_made_to", AB, CONCERN,
         rf"{CA_RU} (?:[^ ,.]+ ){{0,2}}?(?:заставляет|заставлял[а]?|заставил[а]?|принуждает"
         r"|принуждал) (?P<me>меня) (?:(?:делать|сделать) (?:ему |ей )?(?:всякое|всякие вещи"
         r"|это|такое|неприличн[^ ]*|то ,? чего|вещи)|трогать (?:его|ее|себя)|его трогать"
         r"|раздеваться|раздеться|смотреть (?:видео|порно|фото|как)|снимать (?:одежду|трусы)"
         r"|целовать (?:его|ее)|садиться (?:к нему )?на колени)",
         anchors="застав принужд",
         negatable=False),
    rule("ru.child_secret", AB, CONCERN,
         rf"{CA_RU} (?:[^ ,.]+ ){{0,3}}?(?:говорит|сказал[а]?|велел[а]?|просит|просил[а]?"
         r"|требует)(?: ,)?(?: что)? (?:это (?:наш|наша) (?:секрет|тайна)|никому не (?:рассказы"
         r"вать"
         r"|говорить)|(?:держать|хранить) (?:это|все) в (?:секрете|тайне)|мне никто не поверит"
         r"|маме (?:нельзя|не надо) (?:говорить|рассказывать))|если (?:(?P<me>я) )?(?:кому-(?:т"
         r"о|нибудь)"
         r" |маме |кому )?(?:расскажу|скажу)(?: ,)? (?:он|она|мне) (?:сделает больно|убьет"
         r"|влетит|накажет|попадет)",
         anchors="секрет тайн рассказывать говорить поверит расскажу скажу",
         negatable=False,
         after=r"до|(?:, )?(?:это )?сюрприз"),
    rule("ru.child_touch", AB, CONCERN,
         rf"{CA_RU} (?:[^ ,.]+ ){{0,2}}?(?:приходит|заходит|залезает|ложится|пробирается|приходил"
         r"|заходил|ложился) (?:ночью )?ко мне (?:ночью )?(?:в комнату|в кровать|в постель|под"
         rf" одеяло)|{CA_RU} (?:[^ ,.]+ ){{0,7}}?(?:трогает|трогал|лапает|лапал|раздевает"
         r"|раздевал)(?= [,.]|$)|трога[^ ]* (?:меня |ее |его )?(?:там|за (?:интимные|грудь|попу"
         r"|промежность)|между ног|под (?:одеждой|юбкой|трусами)|в (?:интимных|трусах))"
         r"|(?:друг|знакомый|сосед|мужчина|взрослый) (?:[^ ,.]+ )?(?:трогает|трогал|лапает"
         r"|лапал) (?:(?P<me>меня)|(?P<other>ее))|(?:взрослый|взрослая|незнакомый|незнакомая)"
         r" (?:мужчина|дядя|парень|человек|женщина) (?:[^ ,.]+ ){0,3}?(?:присылает|отправляет"
         r"|просит|требует|шлет) (?:мне )?(?:фото|фотки|интимн[^ ]*|голые|нюдсы|мои)",
         anchors="ко_мне трога лапа раздева присылает отправляет просит требует шлет",
         negatable=False,
         after=r"пожелать|сказать|проверить|разбудить|за (?:плечо|руку)|за |чтобы|поцеловать"
         r"|спокойной"),
    rule("ru.harm_wish", HO, CONCERN,
         rf"(?P<intent>сделаю) {DATIVE} больно|(?:хочу|хочется|боюсь(?: ,)? что) (?:сделаю"
         rf"|сделать) {DATIVE} больно|(?:сделаю|сделать) больно {DATIVE}|(?:пырну|пырнуть|пырну"
         rf"ла?|воткну|всажу) (?:его|ее|их"
         r"|[^ ,.]+) (?:ножом|нож)|хочу(?: ,)? чтобы (?:он|она|они|они все|все они|все|отчим"
         r"|отец|муж|начальник|он наконец) (?:сдох|сдохла|сдохли|умер|умерла|умерли|мучил[аи]?с"
         r"[ья]"
         r"|страдал[аи]?)|(?:увидеть|видеть|смотреть)(?: ,)? как (?:он|она|они) (?:мучается"
         r"|мучаются|страдает|страдают|истекает кровью|умирает|умирают)|представляю(?: ,)? как"
         r" (?:я )?(?:причиняю|бью|убиваю|режу|душу|колю|пытаю|избиваю)|купил[аи]? нож (?:для"
         r"|на) (?:него|нее|них|отчима|отца|мужа|брата)|пущу (?:ему|ей|им) кровь|заплат[^ ]*"
         r" кровью|(?P<intent2>сожгу|подожгу) (?:их|его|ее) (?:дом|квартиру|машину)|(?:задавлю"
         r"|перееду|переехать|задавить) (?:его|ее|их) машиной|задавлю (?:его|ее|их)|(?:хочу )?"
         r"перестрелять (?:всех|одноклассников|класс)|(?:забью|забить) (?:(?:его|ее|их) )?(?:до"
         r" смерти|насмерть)|сверну (?:ему|ей|им) шею|(?:мысли|желание|хочется|хочу|боюсь)"
         r" (?:[^ ,.]+ )?(?:навредить|сделать больно|причинить (?:боль|вред)|ударить) (?:своему"
         r" |своим |моему )?(?:ребенку|детям|малышу|сыну|дочери|кому-нибудь|кому-то|людям)"
         r"|(?:хочется|хочу) (?:кого-нибудь|кого-то) (?:ударить|убить|покалечить|избить)"
         r"|столкнуть (?:его|ее|их) (?:с (?:лестницы|моста|крыши|балкона)|под (?:поезд|машину))",
         anchors="больно пырн воткну всажу чтобы мучает мучают страда кровью умирает умирают"
                 " представляю нож кровь сожгу подожгу задав перееду переехать перестрел забь"
                 " забит шею навред причин удар кого-нибудь кого-то столкнуть",
         topical=True,
         after=r"(?:, )?если (?:скажу|расскажу|уйду|признаюсь)|рекорд|в (?:игре|доте)"),
)
# fmt: on
