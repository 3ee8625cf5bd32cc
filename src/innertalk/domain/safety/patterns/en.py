"""English patterns for suicidal ideation (see ``rules`` for how patterns are written).

Severity ``HIGH`` marks a method, a plan, means at hand or an emergency; an ``intent`` group
("going to", "I'll") raises a ``CONCERN`` pattern to ``HIGH``. Idioms live in ``after`` and
``before`` next to the pattern they resemble, so each exception is read where it applies.
"""

from __future__ import annotations

from innertalk.domain.safety.rules import Rule, rule
from innertalk.domain.safety.signals import CrisisCategory, Severity

S = CrisisCategory.SUICIDAL_IDEATION
HIGH, CONCERN = Severity.HIGH, Severity.CONCERN

SELF = (
    r"(?:(?P<me>myself|my self|myslef|mysef|meself)|(?P<other>himself|herself|themselves"
    r"|themself)|(?P<you>yourself|yourselves|urself|ur self))"
)
INTENT_WORDS = (
    r"going to|gonna|goin to|about to|ready to|decided to|planning to|planning on|plan to|will"
    r"|i'll|i will|shall"
)
INTENT = rf"(?:(?P<intent>{INTENT_WORDS}) (?:just |finally |really |probably |definitely )?)?"
"""An optional intent prefix: "going to kill myself" is HIGH, "kill myself" is not."""
FAREWELL_TO_A_PLACE = (
    r"(?:,? )?(?:to )?(?:the |my |this |that )?(?:open plan(?: office)?|office|job|school|exams?"
    r"|homework|braces|uni|college|cast|diet|debt|student loans?|overtime|night shifts?"
    r"|cubicle|commute)"
)
"""After a farewell: a place or a chore left behind ("goodbye forever open plan office")."""
FILL = r"(?:(?:just|simply|really|honestly|literally|finally|actually|kinda|sort of|all) )*"
WANT = (
    r"(?:(?:want|wants|wanted|wnat|need|needs|wish|wishes|wished|would like|i'd like|'d like)"
    r" (?:to|2)|wanna|wana)"
)
PILLS = (
    r"(?:sleeping )?(?:pills|tablets|meds|medication|medicine|painkillers|antidepressants"
    r"|paracetamol|tylenol|ibuprofen|aspirin|insulin|xanax|benzos)"
)
LIVE_AFTER = (
    r"with|in|at|near|there|here|together|alone|forever|to|on|by|under|through|like (?:that"
    r"|them|him|her|my|they|a)|abroad|anywhere|somewhere|next|far|for (?:a|the) (?:while|bit"
    r"|day|week|weekend|night)|holidays?|vacation|a trip|trips|a date|dates|tour|stage|strike"
    r"|air|about|and on"
)

# fmt: off
SUICIDAL = [
    rule("en.kill_self", S, CONCERN,
         rf"{INTENT}(?:kill|kil|kll|killing|killin|kiling|kills|killed|unalive|unaliving"
         rf"|unalived|murder) {SELF}",
         anchors="self",
         after=r"with (?:work|studying|homework|exercise|this|the|my|all)|working|studying"
         r"|laughing|trying|to (?:finish|get|make|meet|keep|please|pass)|over (?:this|it|work"
         r"|that|the)|for (?:this|it|a|the|nothing)|at (?:work|the gym)"),
    rule("en.end_life", S, CONCERN,
         rf"{INTENT}(?:end|ending|ended|take|taking|took|finish|finishing) (?:(?P<me>my|my own)"
         r"|(?P<other>his|her|their|his own|her own|their own)|(?P<you>your|your own)) life",
         anchors="life",
         after=r"back|in|into|to|seriously|more|over|forward|apart|for granted|one day|easy"
         r"|slow|step|as"),
    rule("en.end_it_all", S, CONCERN,
         rf"{INTENT}(?:end|ending|ended|finish|finishing) (?:it all|everything|it tonight"
         r"|it once and for all|my existence|my suffering|things)|(?:close to|thinking (?:about"
         r"|of)|want to|wanna|ready to) (?:just )?(?:end|ending) it(?: all)?",
         anchors="end fini",
         after=r"with|between|on|at work|here|for (?:today|now|the day)|last night|yesterday"
         r"|mutually|(?:, )?it was mutual"),
    rule("en.do_something", S, CONCERN,
         rf"{INTENT}(?:do|doing) something (?:stupid|drastic|permanent|to myself|i can't take"
         r" back|i'll regret)",
         anchors="something", after=r"and|like|such as|with|at work|for"),
    rule("en.into_the_sea", S, HIGH,
         r"(?:walk|walking|walked) into the (?:ocean|sea|lake|river) and (?:never|not) (?:come"
         r" back|return)|thinking about (?:walking|swimming) (?:out )?into the (?:ocean|sea|lake"
         r"|river)",
         anchors="ocean sea lake river"),
    rule("en.i_am_suicidal", S, CONCERN,
         r"(?:i'm|im|i am|i feel|i felt|i've been|ive been|i was|i get|i got|feeling|felt"
         r"|been|getting|feel) (?:(?:so|very|really|kinda|kind of|a bit|a little|pretty"
         r"|extremely|super|quite|literally|just|actually|still|always|sometimes|often|lately"
         r"|again|more|slightly|somewhat|passively|actively|chronically) )*"
         r"(?:suicidal|sucidal|suicidial|suisidal|suicdal|suicidle|suicidel)",
         anchors="suic sucid suisid",
         negatable=True),
    rule("en.suicidal", S, CONCERN,
         r"suicidal|sucidal|suicidial|suisidal|suicdal|suicidle|suicidel",
         anchors="suic sucid suisid",
         topical=True),
    rule("en.suicide_thoughts", S, CONCERN,
         r"(?:commit|commiting|committing|committed|attempt|attempted|attempting|considering"
         r"|contemplating|consider|contemplate|(?P<intent>planning|plan|planned)|thinking"
         r" (?:about|of)|think (?:about|of)|thought (?:about|of)|thoughts (?:of|about)|thinkin"
         r" bout|thinking bout|dream (?:about|of)|dreaming (?:about|of)|fantasi[sz]e about"
         r"|fantasi[sz]ing about|obsessed with) (?:(?:a|my|doing|going through with) )?"
         r"(?:suicide|sucide|suicid|suiside|suicde)",
         anchors="suic sucid suisid"),
    rule("en.suicide", S, CONCERN,
         r"suicide|sucide|suicid|suiside|suicde",
         anchors="suic sucid suisid",
         topical=True,
         before=r"career|political|social|professional|commercial|financial|electoral"
         r"|assisted|physician-assisted|cell|cellular|mass|altruistic"
         r"|(?:is|was|are|it's|its|that's|thats) (?:basically|literally|pure|practically"
         r"|like|total|absolute)",
         after=r"squad|prevention|rates?|hotline|helpline|line|lifeline|awareness|bombers?"
         r"|bombings?|missions?|doors?|watch|statistics|research|survivors?|loss|forest|king"
         r"|run|dives?|blonde|machine|girls|risk"),
    rule("en.want_to_die", S, CONCERN,
         rf"{WANT} {FILL}(?:die|dye|diee|be dead|not exist|stop existing|not be alive"
         r"|disappear forever|vanish forever|not wake up|never wake up|sleep forever|stop"
         r" living|cease to exist|(?:fall asleep|go to sleep|sleep) and (?:never|not) wake up"
         r"|lie down"
         r" and die|crawl (?:into a hole|in a hole|under a rock) and die)",
         anchors="die dye dead exist alive wake sleep forever living",
         after=r"(?:of|from) (?:embarrassment|shame|laughter|laughing|boredom|cringe|cuteness"
         r"|happiness|jealousy|envy|curiosity)|laughing|in (?:a|the|my)"
         r" (?:game|dream)|for (?:this|that|a|the|you|him|her|them|my)|happy|old|at \d+"
         r"|(?:my|your|her|his|the) (?:hair|clothes|shirt|beard|eyebrows)|on (?:social media"
         r"|instagram|the internet)|online|for a (?:while|bit|day|week)"),
    rule("en.want_it_to_end", S, CONCERN,
         r"(?:want|wants|wanted|need|needs|wish) (?:it all|everything|my life) to (?:end|stop"
         r"|be over)",
         anchors="it_all everyth my_life"),
    rule("en.wish_dead", S, CONCERN,
         r"(?:wish|wished|wishing) (?:that )?i (?:was|were|'d|had|could be|would be) (?:dead"
         r"|never born|not born|not alive|gone forever|never been born)|(?:wish|wished) i"
         r" (?:didn't|did not|wouldn't) (?:exist|wake up)|(?:wish|wished) i could (?:just )?"
         r"(?:die|disappear|vanish|stop existing|not exist|fall asleep and (?:never|not) wake"
         r" up|sleep forever)|(?:wish|wished) i (?:wasn't|wasnt|weren't|werent) (?:alive|here"
         r"|born|around)",
         anchors="wish",
         after=r"for|into|to|from|and come back|off|in a|on a|on (?:sundays|weekends|holidays)"),
    rule("en.dont_want_to_live", S, CONCERN,
         rf"(?:don't|dont|do not|didn't|did not|doesn't|doesnt|does not|no longer|never)"
         rf" {FILL}(?:want|wanna|wana|wanted|wish|feel like|need)(?: to| 2)? {FILL}(?:live"
         r"|be alive|exist|keep living|go on living|continue living|stay alive|be on this earth"
         r"|(?:keep going|be here|be around|wake up|live) (?:anymore|any more|any longer"
         r"|ever again))|(?:don't|dont|do not) think i (?:can|could) (?:keep living|go on"
         r" living|live like this|stay alive|survive this)|(?:can't|cant|cannot) keep living"
         r"|(?:i'm|im|i am) done (?:with life|with living|living|with being alive)"
         r"|(?:want to|wanna|need to|going to|gonna|should|(?:thing|best) (?:i can do|to do) is"
         r"|(?:kindest|best|right) thing (?:i can do|to do) is) (?:just )?stop being (?:here|alive"
         r"|around)",
         anchors="live living alive exist going here around wake earth survive life",
         negatable=False,
         after=LIVE_AFTER),
    rule("en.unsure_to_live", S, CONCERN,
         r"(?:not sure|don't know|dont know|unsure|no idea) (?:if |whether |that |why )?i"
         r" (?:even |still |really )?(?:want to|wanna|should|can) (?:live|be alive|keep living"
         r"|go on|exist|stay alive|keep going)",
         anchors="live alive exist going",
         negatable=False,
         after=LIVE_AFTER),
    rule("en.no_reason_to_live", S, CONCERN,
         r"(?:no|nothing|zero|no more|no good) (?:reason|reasons|point|purpose) (?:to|in|for|of)"
         r" (?:live|living|being alive|keep going|keeping going|go on|going on|exist|existing)"
         r"|nothing (?:left )?to live for|(?:what's|whats|what is) the point (?:of|in) (?:living"
         r"|life|being alive|going on|existing)|life (?:isn't|is not|isnt|ain't|aint|is no"
         r" longer) worth living|(?:tired|sick|exhausted) of (?:living|being alive|life"
         r"|existing)|(?:can't|cant|cannot) go on (?:anymore|any more|like this|living)"
         r"|(?:don't|dont|do not|can't|cant) see (?:the |any )?point in (?:living|life|being"
         r" alive|going on)|shouldn't (?:be alive|exist|have been born)",
         anchors="live living alive going exist life born _go_on",
         negatable=False,
         after=LIVE_AFTER),
    rule("en.better_off_dead", S, CONCERN,
         r"better off dead|(?:'d|would|i'd) rather (?:be dead|die)|(?:everyone|everybody|they"
         r"|people|my family|the world|world) (?:would|will|'d|'ll) be (?:better|happier)"
         r" (?:off )?(?:without me|if i (?:was|were|'m|am) (?:gone|dead|not here|not around"
         r"|never born))|(?:no one|nobody|noone) (?:would|will) (?:even )?(?:care|notice"
         r"|miss me) if i"
         r" (?:died|was gone|were gone|disappeared|killed myself|was dead)",
         anchors="dead _die without happier better notice care miss",
         after=r"than|then"),
    rule("en.hang", S, HIGH,
         rf"{INTENT}(?:hang|hanging|hanged|hung) {SELF}",
         anchors="self"),
    rule("en.wrists", S, HIGH,
         rf"{INTENT}(?:slit|slitting|slash|slashing|open|opening) (?:(?P<me>my)|(?P<other>his"
         r"|her|their)|(?P<you>your)) (?:wrists?|veins?|throat)",
         anchors="wrist vein throat"),
    rule("en.shoot_self", S, HIGH,
         rf"{INTENT}(?:shoot|shooting|shot|drown|drowning|drowned|suffocate|suffocating"
         rf"|electrocute|gas) {SELF}|blow my brains out|put a (?:gun|bullet) (?:to|in|through)"
         r" my head",
         anchors="self brains head",
         after=r"in the (?:foot|leg)"),
    rule("en.jump", S, HIGH,
         rf"{INTENT}(?:jump|jumping|jumped|leap|leaping|throw myself|throwing myself|threw"
         r" myself|fling myself) (?:off|from|out of|in front of|under) (?:of )?(?:a|the|this"
         r"|that|my|our|some) (?:[^ ,.]+ )?(?:bridge|roof|rooftop|building|balcony|cliff|tower"
         r"|window|train|car|bus|truck|overpass|ledge|skyscraper|parking garage)|(?:step"
         r"|stepping|walk|walking) in front of (?:a|the) (?:train|bus|car|truck)|(?:lie|lay"
         r"|lying|laying) (?:down )?on the (?:train )?tracks|drive (?:my car )?(?:off a"
         r" (?:cliff|bridge)|into a (?:wall|tree|truck))|(?:driving|drove) (?:my car )?(?:off a"
         r" (?:cliff|bridge)|into a (?:wall|tree|truck))|crash my car on purpose",
         anchors="jump leap throw threw fling front tracks driv drove crash",
         before=r"bungee|base",
         after=r"into (?:the |a )?(?:pool|water|lake|river|sea|ocean|snow|pile|net)|with a"
         r" parachute|bungee|for fun|to (?:catch|save)"),
    rule("en.overdose_plan", S, HIGH,
         rf"(?:(?P<intent>{INTENT_WORDS}) |(?:want|wanna|thinking about|think about|thought"
         r" about|considering|plan|planning) (?:to )?)(?:overdose|overdosing|od)(?: on [^ ,.]+)?",
         anchors="overdos _od"),
    rule("en.take_all_pills", S, HIGH,
         rf"{INTENT}(?:take|swallow|down|eat|taking|swallowing|downing) (?:all|every one|the"
         r" whole (?:bottle|box|pack)|a (?:whole )?(?:bottle|handful|box|pack|packet|bunch"
         r"|lot) of|[2-9]\d|\d{3,}|too many)(?: of)? (?:my |the |these |those |her |his )?"
         rf"{PILLS}",
         anchors="pill tablet meds medic painkill antidepress paracetamol tylenol ibuprofen"
         " aspirin insulin xanax benzo"),
    rule("en.means_ready", S, HIGH,
         r"(?:have|got|'ve got|i've got|bought|collected|saved|saving|stockpiled|stockpiling"
         r"|hoarding|hoarded|gathered|counted) (?:up )?(?:the|my|all the|all my|enough|a bunch"
         r" of|a lot of|some) (?:sleeping )?(?:pills|tablets|meds|rope|noose|gun|razors?"
         r"|blades?)(?: up)? (?:ready|saved|here|lined up|counted|for (?:when|tonight|it|this"
         r"|the end)|to (?:do it|end it|kill myself|die|hang myself|overdose)|in front of me"
         r"|next to me)",
         anchors="pill tablet meds rope noose gun razor blade",
         after=r"for (?:the|my|a) (?:trip|flight|week|vacation|holiday|morning)"),
    rule("en.note", S, HIGH,
         r"(?:write|wrote|written|writing|finished|left|leave|leaving) (?:a|my|the)"
         r" (?:suicide|goodbye|farewell) (?:note|letter)|my (?:suicide|goodbye) (?:note|letter)",
         anchors="note letter",
         after=r"to (?:my |the |our |all my )?(?:team|coworkers|co-workers|colleagues|class"
         r"|students|pupils|followers|readers|clients|patients|customers|staff)"),
    rule("en.method_search", S, HIGH,
         r"how (?:to|do i|can i|should i|would i|could i) (?:[^ ,.]+ )?(?:kill myself|commit"
         r" suicide|end my life|hang myself|overdose|die painlessly|die quickly|slit my wrists)"
         r"|how many (?:[^ ,.]+ )?(?:pills|tablets|mg|milligrams) (?:[^ ,.]+ ){0,4}?(?:to die"
         r"|to overdose|to od|to kill (?:me|myself|a person|someone)|would kill|is lethal"
         r"|are lethal|for an overdose|to not wake up|to never wake up|would it take|does it"
         r" take|do i need)|(?:painless|quickest|easiest|fastest|surest|best|quick|easy|peaceful"
         r"|reliable|effective) (?:way|ways|method|methods) to (?:die|kill myself|end (?:it"
         rf"|my life|it all)|commit suicide)|suicide methods?|lethal dose of (?:[^ ,.]+ )?{PILLS}"
         r"|(?:ways|methods|how) to (?:kill myself|die|end my life|commit suicide|overdose)",
         anchors="painless quick easi fast sure best peaceful reliable effective method lethal"
                 " ways how_to how_many how_do how_can how_should how_would how_could",
         negatable=False),
    rule("en.on_the_edge", S, HIGH,
         r"(?:i'm|im|i am) (?:standing |sitting )?(?:on|at) (?:the |a )?(?:edge of (?:the |a )?"
         r"(?:roof|bridge|building|cliff|balcony)|ledge|railing of (?:the|a) bridge)"
         r"|standing on (?:the|a) (?:ledge|bridge railing|edge of (?:the|a) (?:roof|bridge"
         r"|building|cliff))",
         anchors="edge ledge railing"),
    rule("en.do_it_means", S, HIGH,
         r"(?:do it|end it|go through with it)(?: [^.]{0,80}?)? (?:pills|tablets|rope|noose|gun"
         r"|razor|blades?|bridge|roof)|(?:pills|tablets|rope|noose|gun|razor|blades?)(?:"
         r" [^.]{0,80}?)? (?:(?:going to|gonna|will|i'll) (?:\S+ )?do it|do it tonight)",
         anchors="do_it end_it through_with"),
    rule("en.kms", S, CONCERN, r"kms|unalive me", anchors="kms unalive",
         before=r"[0-9.,]+|few|many|several|the|of",
         after=r"is|are|away|from|to|per|an hour|in|of|run|ran|walked|today"),
    rule("en.only_way_out", S, CONCERN,
         r"(?:death|dying|suicide) (?:is|seems like|feels like) the only (?:way out|option|answer)"
         r"|(?:the )?only way out is (?:death|to die|suicide|to end it)|no way out but (?:death"
         r"|to die|suicide)|(?:it'd|it would|it will|would it) be (?:easier|better) (?:to"
         r" (?:die|be dead|not be here|not exist)|if i (?:was|were) (?:dead|gone|not here)|if i"
         r" (?:wasn't|wasnt|weren't|werent|was not|were not) (?:here|around|alive))",
         anchors="only easier better"),
    rule("en.farewell", S, CONCERN,
         r"goodbye (?:cruel world|forever)|(?:this is )?my last (?:day|night|message) (?:alive"
         r"|on earth)",
         anchors="goodbye last",
         after=FAREWELL_TO_A_PLACE),
]
# fmt: on

RULES: tuple[Rule, ...] = tuple(SUICIDAL)
