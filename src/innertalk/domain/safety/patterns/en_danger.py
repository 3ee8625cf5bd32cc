"""English patterns for self-harm, harm to others, abuse and acute danger.

Written like ``patterns.en``. Self-harm verbs name the accidents they are not ("cut myself
*shaving*", "burned myself *on the stove*"); abuse patterns need an abuser ("he", "my
stepdad") and the person as the object, so "it hits me" and "he beats me *at chess*" stay
silent; "hurt" counts only with a wish or intent ("I want to hurt myself"), since "I hurt
myself at the gym" is the common meaning.
"""

from __future__ import annotations

from innertalk.domain.safety.patterns.en import INTENT, PILLS, SELF
from innertalk.domain.safety.rules import Rule, rule
from innertalk.domain.safety.signals import CrisisCategory, Severity

SH = CrisisCategory.SELF_HARM
HO = CrisisCategory.HARM_TO_OTHERS
AB = CrisisCategory.ABUSE
AC = CrisisCategory.ACUTE_DANGER
HIGH, CONCERN = Severity.HIGH, Severity.CONCERN

RELATION = (
    r"(?:husband|wife|boyfriend|girlfriend|partner|bf|gf|ex|dad|father|mom|mum|mother|stepdad"
    r"|stepfather|stepmom|stepmother|brother|sister|uncle|aunt|grandpa|grandfather|grandma"
    r"|cousin|parents|coach|teacher|boss|fiance|landlord)"
)
ABUSER = (
    rf"(?:he|she|they|he's|she's|they've|my (?:[^ ,.]+ )?{RELATION}|dad|mom|mum)"
    r" (?:(?!not |never |doesn't |doesnt |don't |dont |didn't |didnt |won't |wont |wouldn't )"
    r"[^ ,.]+ ){0,8}?"
)
"""Someone who abuses, then up to eight words ("he gets drunk and …"), none a negation."""
VICTIM = r"(?:(?P<me>me|us)|(?P<other>her|him|them)|(?P<you>you))"
TARGET = (
    r"(?:him|her|them|someone|somebody|anyone|anybody|everyone|everybody|people|my (?:[^ ,.]+ )?"
    r"(?:husband|wife|boyfriend|girlfriend|partner|dad|father|mom|mum|mother|stepdad"
    r"|stepfather|stepmom|stepmother|brother|sister|son|daughter|baby|child|kids?|children"
    r"|boss|neighbou?r|roommate|teacher|ex|classmate|coworker|colleague|family|parents|grandma"
    r"|grandpa|uncle|aunt|cousin|friend|bully|bullies)|the (?:baby|kids|children|neighbou?rs?)"
    r"|all of them|both of them)"
)
ACCIDENT = (
    r"(?:while|when) [^ ]+|shaving|cooking|chopping|slicing|by accident|on (?:a|the|some|my|an)"
    r" [^ ]+|on paper|in the kitchen|at work|off|out|loose|free|up|short|some slack|a break"
    r"|from|getting|trying to|opening|making|fixing|in the (?:foot|head|leg|knee)|a (?:slice"
    r"|piece|break|deal)|some [^ ]+"
)

# fmt: off
SELF_HARM = [
    rule("en.harm_self", SH, CONCERN,
         rf"{INTENT}(?:cut|cuts|cutting|cutted|slice|slicing|sliced|carve|carving|carved|burn"
         r"|burns|burning|burned|burnt|hit|hits|hitting|punch|punching|punched|starve|starving"
         r"|starved|harm|harms|harming|harmed|injure|injuring|injured|mutilate|mutilating"
         rf"|mutilated|bruise|bruising|self-harm) {SELF}",
         anchors="self",
         after=ACCIDENT),
    rule("en.hurt_self_wish", SH, CONCERN,
         r"(?:want|wants|wanted|wanna|urge|urges|need|needs|going|gonna|try|tried|trying"
         r"|thinking about|thought about|thoughts of|thoughts about|(?:afraid|scared|worried)"
         r" (?:that )?i(?: might| may| will)?|(?:afraid|scared|worried) (?:that )?i'll|keep|kept"
         r"|been|started|start|stop|might|may|will|i'll|could) (?:to )?(?:really )?(?:hurt"
         rf"|hurting|harm|harming|injure|injuring|physically hurt) {SELF}",
         anchors="self"),
    rule("en.cutting_again", SH, CONCERN,
         r"(?:been |started |keep |kept |am |i'm |im )?cutting again|started cutting|relapsed"
         r" (?:on|into|with) (?:cutting|self[- ]?harm[^ ]*|sh)|(?:urge|urges) to (?:cut|self[- ]?"
         r"harm|hurt myself|burn myself)|(?:want|wanna|need|needs|urge|urges|tempted|itching)"
         r" (?:to )?cut(?: again| so bad(?:ly)?| tonight| really bad(?:ly)?)?(?= [,.]|$)",
         anchors="cut relapsed urge",
         after=r"for|weight|calories|carbs|the|my (?:hair|nails|grass)"),
    rule("en.hurt_self_purpose", SH, CONCERN,
         rf"(?:hurt|harm|hurting|harming) {SELF} (?:on purpose|deliberately|intentionally"
         r"|again|to feel|to cope|because i|when i(?:'m| am| feel)|so (?:that|i))",
         anchors="self"),
    rule("en.cut_body", SH, CONCERN,
         r"(?:cut|cuts|cutting|cutted|slice|slicing|sliced|carve|carving|carved|burn|burning"
         r"|burned|burnt) (?:(?P<me>my)|(?P<other>his|her|their)|(?P<you>your)) (?:arms?"
         r"|wrists?|thighs?|legs?|skin|stomach|hips?|forearms?|body|ankles?)",
         anchors="cut slic carv burn",
         after=ACCIDENT),
    rule("en.scratch_until", SH, CONCERN,
         r"(?:scratch|scratching|scratched|pick|picking|picked|bite|biting|make|made|making)"
         r" (?:my (?:skin|arms?|legs?|face|wrists?)|myself) (?:until|till|til|to the point of"
         r"|to) (?:it bleeds|i bleed|it's raw|they bleed|bleeding|blood|bleed|bruise)",
         anchors="bleed blood raw bruise"),
    rule("en.self_harm", SH, CONCERN,
         r"self[- ]?harm[^ ]*|selfharm[^ ]*|self[- ]?injur[^ ]*|self[- ]?mutilat[^ ]*",
         anchors="self",
         topical=True),
]
# fmt: on

# fmt: off
HARM_TO_OTHERS = [
    rule("en.kill_other", HO, CONCERN,
         rf"{INTENT}(?:kill|killing|murder|murdering|stab|stabbing|shoot|shooting|strangle"
         rf"|strangling|poison|poisoning|smother|smothering|suffocate|suffocating|behead)"
         rf" {TARGET}",
         anchors="kill murder stab shoot strangl poison smother suffocat behead",
         topical=True,
         after=r"(?:at|in) (?:chess|cards|checkers|tennis|the game|this game|a game|mario kart"
         r"|fifa|smash|uno|monopoly|scrabble|poker|ping pong|pool|darts|bowling|[^ ,.]+ kart)|with"
         r" (?:kindness|compliments|love|kisses|hugs)|in (?:my|the) (?:dreams?|game)"
         r"|if (?:she|he|they|you) (?:eats?|drinks?|spoils?|borrows?|forgets?|is late|takes my)"
         r"|a (?:look|glance|smile|text|message|email|line)|up (?:with|in)"),
    rule("en.hurt_other", HO, CONCERN,
         r"(?:want|wants|wanted|wanna|urge|urges|(?P<intent>going|gonna|will|'ll|i'll)|(?:afraid"
         r"|scared"
         r"|worried) (?:that )?i(?:'ll| will| might| may)?|thoughts (?:of|about)|thinking"
         r" (?:of|about)|thought (?:of|about)|might|may|could) (?:to )?(?:physically )?(?:hurt"
         rf"|hurting|harm|harming|beat up|beating up|attack|attacking) {TARGET}",
         anchors="hurt harm beat attack",
         topical=True,
         after=r"feelings|'s feelings|ego|pride|chances|career|reputation|business|by"
         r" (?:telling|saying|leaving|not)|emotionally|if i (?:tell|say|leave)"),
    rule("en.beat_to_death", HO, CONCERN, rf"{INTENT}(?:beat|beating) {TARGET} to death",
         anchors="death", topical=True),
    rule("en.attack_place", HO, HIGH,
         rf"{INTENT}(?:shoot up|shooting up|bomb|blow up) (?:the|my|a|our) (?:school|class"
         r"|office|mall|church|mosque|synagogue|workplace|college|university|campus)|bring (?:a"
         r"|my) (?:gun|rifle|knife|bomb) to (?:school|class|work)",
         anchors="shoot bomb blow bring",
         topical=True,
         after=r"with"),
]
# fmt: on

# fmt: off
ABUSE = [
    rule("en.abuser_acts", AB, CONCERN,
         rf"{ABUSER}(?:(?:always|often|sometimes|still|keeps|kept|constantly|regularly|used"
         r" to|has|had|would|will|again|also|even|just|repeatedly|physically|sexually|verbally"
         r"|has been|had been) )*(?:hits?|hitting|beats?|beating|beaten|slaps?|slapping"
         r"|slapped|punch(?:es|ed|ing)?|kicks?|kicked|kicking|chokes?|choked|choking|strangles?"
         r"|strangled|rapes?|raped|raping|molests?|molested|molesting|abuses?|abused|abusing"
         r"|burns?|burned|pushes|pushed|shoves|shoved|grabs|grabbed|hurts|hurting|touch(?:es"
         r"|ed|ing)?|stalks|stalked|stalking|drags|dragged|throws things at|threw things at)"
         rf" {VICTIM}",
         anchors="_hit _beat _slap _punch _kick _chok _strangl _rape _raping _molest _abus _burn"
                 " _push _shov _grab _hurt _touch _stalk _drag _threw _throw",
         after=r"at (?!night|home|bedtime|times|nights)\S+|in (?:the |a )?(?:game|match|race"
         r"|debate|argument)|to it|to the|up|with"
         r" (?:the|a|his|her) (?:truth|question|news|facts|reality|idea|joke|pillow)|with"
         r" (?:deadlines|questions|requests|emails|work|tasks|homework|criticism|facts|ideas"
         r"|memes|jokes|compliments)|hard|on the"
         r" (?:shoulder|arm|back|hand|head|cheek)|gently|softly|by accident|accidentally|on"
         r" (?:whatsapp|instagram|facebook|snapchat|tinder|social media)|like a ton of bricks"),
    rule("en.abuser_forces", AB, CONCERN,
         rf"{ABUSER}(?:forces|forced|forcing|makes|made|pressures|pressured) me"
         r" (?:to )?(?:have sex|sleep with|do sexual|do things i don't want|watch porn|perform)"
         rf"|{ABUSER}(?:locks|locked|locking|keeps|kept) me (?:in|inside|up"
         rf"|locked)|{ABUSER}(?:won't|wont|doesn't|doesnt|didn't|will not|does not|never) let"
         r" me (?:leave (?:the house|the flat|the apartment|home)|have (?:my own )?money|have"
         r" my phone|see (?:my )?(?:friends|family))",
         anchors="forc make made pressur lock keep kept let_me",
         negatable=False),
    rule("en.threat_to_kill", AB, HIGH,
         r"(?:threatens|threatened|threatening|has threatened|keeps threatening|promised)"
         r" (?:to )?(?:kill|hurt|beat|stab|shoot|burn|rape) (?:(?P<me>me|us|my (?:kids"
         r"|children|son|daughter|baby|family))|(?P<other>her|him|them))",
         anchors="threat promised"),
    rule("en.said_will_kill", AB, CONCERN,
         r"(?:said|says|told me|tells me) (?:that )?(?:he|she|they)(?:'d| would| will|'ll| is"
         r" going to|'s going to| was going to) (?:kill|hurt|beat|stab|shoot|rape) (?:(?P<me>me"
         r"|us)|(?P<other>her|him|them))",
         anchors="kill hurt beat stab shoot rape",
         after=r"if i (?:get|got|fail|failed|forget|forgot|break|broke|lose|lost|don't|didn't"
         r"|come|came|eat|ate)"),
    rule("en.victim", AB, CONCERN,
         r"(?:i|i've|ive|i'm|im) (?:was|got|am being|being|have been|'ve been|been|am|keep"
         r" getting) (?:(?:repeatedly|physically|sexually|emotionally|verbally|brutally|badly"
         r"|violently) )?(?:raped|sexually assaulted|sexually abused|assaulted|molested|abused"
         r"|beaten|beaten up|attacked|strangled|choked|trafficked|groomed|stalked|hit|kicked"
         r"|punched|slapped)",
         anchors="raped assault abused molest beaten attack strangl choked traffick groom stalk"
                 " _hit kicked punched slapped",
         topical=True,
         after=r"by (?:a|the|an) (?:car|bus|ball|truck|bike|bicycle|wave|dog|bee|wasp|door"
         r"|branch|virus|cold)|in (?:the )?(?:game|match)|at [^ ]+|with (?:questions|emails"
         r"|work|requests)|by (?:reality|the news|nostalgia)"),
    rule("en.unsafe_home", AB, HIGH,
         r"(?:(?:i'm|im|i am|i feel|feeling|i'm feeling) (?:not |un|so un|really un|very un"
         r"|not really )safe|(?:i )?(?:don't|dont|do not|never) feel safe|(?:it's|its|it is)"
         r" (?:not safe|unsafe|dangerous) for me) (?:at home|in my (?:own )?(?:home|house|flat"
         r"|apartment|room)|here at home|with (?:him|her|them|my [^ ,.]+))",
         anchors="safe dangerous",
         negatable=False),
    rule("en.afraid_home", AB, CONCERN,
         r"(?:i'm|im|i am|i feel) (?:[^ ,.]+ )?(?:scared|afraid|terrified|frightened) (?:to"
         r" (?:go|come|return) (?:back )?home|of (?:going|coming) home|to be (?:alone )?with"
         r" (?:him|her|my [^ ,.]+))",
         anchors="scared afraid terrified frightened"),
    rule("en.abuse_noun", AB, CONCERN,
         r"domestic (?:violence|abuse)|sexual (?:abuse|assault|violence)|intimate partner"
         r" violence|abusive (?:relationship|husband|wife|partner|boyfriend|girlfriend|parents?"
         r"|father|mother|dad|mom|home|household|marriage|family|ex)|(?:victim|survivor) of"
         r" (?:abuse|rape|domestic|sexual)",
         anchors="violence abuse assault abusive victim survivor",
         topical=True),
]
# fmt: on

# fmt: off
ACUTE = [
    rule("en.took_pills", AC, HIGH,
         r"(?:took|taken|swallowed|downed|ate|overdosed on|od'd on|popped) (?:a (?:whole )?"
         r"(?:bottle|handful|box|pack|packet|bunch|lot|ton|load) of |all (?:of )?|too (?:many"
         r"|much) |[1-9]\d+ |(?:twenty|thirty|forty|fifty|sixty|a hundred|dozens of|loads of"
         rf"|lots of|tons of) )(?:(?:my|the|these|those|his|her|[^ ]+'s) )*{PILLS}",
         anchors="pill tablet meds medic painkill antidepress paracetamol tylenol ibuprofen"
         " aspirin insulin xanax benzo",
         after=r"for (?:my|a|the) [^ ]+|over (?:the|a) (?:week|month|day|year)s?|(?:this|last)"
         r" (?:week|month|year)|every day|a day|daily|per day"),
    rule("en.took_some_pills", AC, HIGH,
         r"(?:took|swallowed|taken) (?:some |a few )?(?:pills|tablets)",
         anchors="pills tablets",
         after=r"for|to (?:sleep|help|calm)|before|after|every|daily|in the morning|at night"
         r"|this morning|as prescribed|with (?:food|water)"),
    rule("en.overdosed", AC, HIGH,
         r"(?:(?P<me>i|i've|ive|i have|i just|i think i|i think i've|i've just|i might have|i may"
         r" have)|(?P<other>he|she|they|he's|she's|my (?:[^ ,.]+ )?(?:friend|brother|sister|son"
         r"|daughter|mom|mum|mother|dad|father|partner|boyfriend|girlfriend|husband|wife"
         r"|roommate|kid|child))) (?:just |has |have |had |may have |might have )?(?:overdosed"
         r"|od'd|odd|taken an overdose|took an overdose)|(?:i'm|im|i am) (?:[^ ,.]+ )?overdosing",
         anchors="overdos _od'd _odd",
         after=r"on (?:caffeine|coffee|sugar|chocolate|candy|sweets|cake|cookies|netflix|tiktok"
         r"|memes|sunshine|cuteness)(?! pills| tablets)"),
    rule("en.bleeding", AC, HIGH,
         r"(?:can't|cant|cannot|won't|wont) stop (?:the )?bleeding|(?:the )?bleeding (?:won't"
         r"|wont|will not|doesn't|doesnt|isn't|isnt) stop(?:ping)?|(?:i'm|im|i am) bleeding"
         r" (?:a lot|badly|heavily|out|so much|everywhere|really bad|profusely)|bleeding out"
         r"|losing (?:a lot of|so much) blood",
         anchors="bleed blood",
         negatable=False),
    rule("en.in_danger", AC, HIGH,
         r"(?:i'm|im|i am|we're|we are) in (?:immediate |real |serious |grave )?danger|my life"
         r" is in danger|(?:someone|somebody|a man|a guy|he|they|a stranger) (?:is |are |'s )?"
         r"(?:trying to |tried to )?(?:breaking|break|broke|getting) (?:in|into)(?: (?:my|the"
         r"|our) (?:house|home|flat|apartment|room))?|(?:someone|somebody|a man|a guy|a"
         r" stranger) is (?:following|chasing) me",
         anchors="danger break broke getting following chasing"),
    rule("en.armed", AC, HIGH,
         r"(?:he|she|they|someone|somebody|a man|a guy|my [^ ,.]+) (?:has|have|got|'s got"
         r"|is holding|is waving|pulled|pulled out|grabbed) a (?:gun|knife|weapon|axe)"
         r" (?:[^ .]+ ){0,4}?(?:coming|outside|here|at (?:the|my) door|pointing|threaten[^ ]*"
         r"|chasing|after me|yelling|screaming|going to|gonna|wants to)|(?:pulled|pointed"
         r"|pointing|held|holding) a (?:gun|knife) (?:on|at|to) (?:me|my)",
         anchors="gun knife weapon axe"),
    rule("en.emergency", AC, HIGH,
         r"(?:call|get|need|send|needs) (?:me )?(?:an ambulance|the ambulance|paramedics|911"
         r"|999|112)|(?:i think )?(?:i'm|im|i am) having a (?:heart attack|seizure|allergic"
         r" reaction|anaphylactic)|(?:drank|swallowed|ate|took) (?:some |a lot of |a bottle of"
         r" |the )?(?:bleach|poison|antifreeze|rat poison|drain cleaner|pesticide|weed killer"
         r"|lye)",
         anchors="ambulance paramedics 911 999 112 heart seizure allerg anaphyla bleach poison"
         " antifreeze drain pesticide killer lye"),
]
# fmt: on

RULES: tuple[Rule, ...] = (*SELF_HARM, *HARM_TO_OTHERS, *ABUSE, *ACUTE)
