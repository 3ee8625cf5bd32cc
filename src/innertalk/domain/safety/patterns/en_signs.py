"""English warning-sign rules: suicidal crisis said without "kill" or "suicide".

Written from the clinical warning-sign taxonomy (means and place, preparation, finality and
a timeline, burden, wish to be dead, hopelessness joined to an ending, slang), each family a
structure rather than a list of sentences: a *dwelling or intention* verb joined to a *means
or place* noun; a *farewell act* joined to the people it is addressed to; a *time frame*
joined to not being here. The parts are word classes below, so a new way of putting one
part still meets the others. Idioms that share a part ("goodbye everyone, see you Monday",
"this is my last week at work") are exceptions next to the rule they resemble.
"""

from __future__ import annotations

from innertalk.domain.safety.patterns.en import FAREWELL_TO_A_PLACE
from innertalk.domain.safety.rules import Rule, rule
from innertalk.domain.safety.signals import CrisisCategory, Severity

S = CrisisCategory.SUICIDAL_IDEATION
HIGH, CONCERN = Severity.HIGH, Severity.CONCERN

ME = r"(?:i|i'm|im|i am|i've|ive|i have|i'll|ill|i will|i'd)"
DWELL = (
    r"(?:thinking|thinkin|thought|think|dreaming|fantasi[sz]ing|obsessing) (?:about|of|bout"
    r"|over)|(?:keep|kept|been|can't stop|cant stop) (?:staring|looking) at|staring at"
)
"""Dwelling on something: the verbs that turn a means or place into a thought of using it."""
WANT = (
    r"(?:want|wanna|wana|need|going|gonna|about|ready|planning|plan|tempted|trying not"
    r"|thinking about|thinking of|thought about|considering|could just|might just|should just"
    r"|will|i'll|ill)(?: to)?"
)
DET = r"(?:the|my|those|these|that|this|all (?:the|my|those)|a|some|our)"
MEANS = (
    r"(?:pills|tablets|meds|sleeping pills|rope|noose|gun|razor|razors|blade|blades|knife"
    r"|bridge|roof|rooftop|ledge|train tracks|tracks|rails|railway|railing|edge|cliff|balcony"
    r"|drop|fall|height|heights|wrists|veins|gas|exhaust|car exhaust|overpass)"
)
PLACE = (
    r"(?:bridge|roof|rooftop|ledge|edge|cliff|balcony|window|platform|building|tower|railing"
    r"|overpass|parking garage|\d+(?:st|nd|rd|th) floor|top floor|train|traffic|tracks|car"
    r"|truck|bus|somewhere high|a height)"
)
MEANS_AFTER = (
    r"we|you|they|he|she|in (?:paris|prague|london|rome|venice|town|the city|the park)|for"
    r" (?:the|a|my|our) (?:trip|boat|tent|camping|climbing|gym|kitchen|headache|pain|cold|flu"
    r"|allergy|allergies|pressure|blood pressure|week|month|vacation|holiday|class|project"
    r"|exam|design)|with (?:breakfast|food|water|dinner|lunch|meals)|before (?:bed|food|meals"
    r"|breakfast)|after (?:food|meals|breakfast|dinner)|from the (?:pharmacy|doctor)|every"
    r" (?:day|morning|night)|daily|on time|to (?:buy|fix|build|cross|visit|see|renew|refill"
    r"|take with)|design|project|trip|view|on (?:my|the) way|of (?:my|the|our|this) (?:dreams|s"
    r"eat|chair)"
)
KIN = (
    r"(?:family|parents|kids|children|mom|mum|dad|sister|brother|friends|loved ones|wife"
    r"|husband|son|daughter|partner|boyfriend|girlfriend)"
)
GONE = (
    r"(?:when|after|once|if) (?:i'm|im|i am) (?:gone|dead|not around anymore|no longer here)"
    r"|after i(?:'m| am)? gone"
)
TRIP = (
    r"for (?:a|the|two|three|\d+|some|work|vacation|holiday|the weekend)|on (?:a|my|the"
    r"|vacation|holiday|business|leave)|to \S+|from \S+|abroad|away|overseas|at (?:work|school)"
    r"|all day|this|next|over the|because|due|since|as i|(?:, )?(?:i'm|im) (?:on|away"
    r"|travel\w*|going|at|in|off)|(?:, )?(?:business|work|conference|vacation|holiday)"
)
"""What turns "not being here" into a trip or a day off ("won't be here, I'm on vacation")."""
DAY = (
    r"(?:tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday|the"
    r" weekend|this weekend|next week|the end of (?:the|this) (?:week|month)|morning|new year"
    r"|christmas|my birthday)"
)
FINAL = (
    r"it ends|it's (?:tonight|time|over|final|happening)|there's no going back|theres no going"
    r" back|no going back|don't try|dont try|i'm ready|im ready|this is it|it will (?:all )?be"
    r" over|it'll (?:all )?be over|it's the end|goodbye|tonight|tomorrow|this weekend"
)
DECIDED = (
    r"(?:i've|ive|i have|i) (?:decided|made up my mind|made my decision|made the decision"
    r"|made my choice)|my mind is made up|it's decided|its decided"
)
HOPE = (
    r"(?:no|zero|not any|nothing|no more) (?:reason|reasons|point|hope|future|way out|purpose)"
    r"(?: (?:to|in|for|left|anymore|any more)(?: [^ ,.]+){0,2})?|nothing (?:matters|will"
    r" (?:ever )?change|helps|works|gets better|left for me)|(?:it|things|life) will never"
    r" get better|(?:don't|dont|can't|cant) see (?:a|any) way out|it's hopeless|its hopeless|ev"
    r"erything is (?:pointless|hopeless)|i have"
    r" nothing left|nothing (?:will|is going to) (?:ever )?(?:change|get better|be okay)|what'"
    r"s the point(?: of (?:anything|trying|any of (?:this|it)))?|(?:can't"
    r"|cant|cannot) (?:do this|take (?:it|this)|go on|keep going)(?: like this)?(?: anymore"
    r"| any more)?|(?:lost|losing) all hope|(?:so )?tired of fighting"
)
"""Hopelessness; alone it is the conversation's to answer, joined to an ending it is a sign."""
ENDING = (
    r"(?:i'm|im|i am) ready to give up(?: for good)?|(?:i'm|im|i am) (?:so )?tired of fighting"
    r"|(?:i'm|im|i am) (?:done|out|finished|giving up)(?: (?:with (?:everything|it all|life"
    r"|living)|on (?:life|everything)|for good|fighting|trying))?|i give up(?: on"
    r" (?:everything|life))?|(?:it's|its) over (?:for me)|this is the end(?: for me)?|(?:it's"
    r"|its) time to stop|i quit life|i'm ready to give up|ready to give up(?: for good)?"
)

GAP = (
    r"(?: (?:[,.]|and|so|just|honestly|really|anymore|now|at all|for me|left|here|i think|lol"
    r"|tbh|ok|okay)){0,4}"
)
"""Only punctuation and fillers between hopelessness and the ending: "no reason to keep going
with this project, I'm done" is about the project."""

# fmt: off
SIGNS = [
    rule("en.means_dwell", S, HIGH,
         rf"(?:{DWELL}) (?:(?:using|going to|climbing|standing on|getting) )?{DET}"
         rf" (?:[^ ,.]+ )?{MEANS}|(?:{DWELL}) how (?:high|tall|far down) (?:my|the|this|that)"
         r" (?:[^ ,.]+ )?(?:balcony|bridge|roof|building|window|floor|drop|fall) (?:is|would be)",
         anchors="think thought dream fantasi obsess staring looking",
         after=MEANS_AFTER),
    rule("en.means_act", S, HIGH,
         rf"{WANT} (?:just )?(?:step|stepping|walk|walking|fall|falling|go|going|climb|climbing"
         r"|leap|leaping|jump|jumping|throw myself|yeet myself|drive|driving|roll|rolling) (?:out"
         rf" )?(?:off|from|over|in front of|into|under|onto|out of) (?:of )?(?:{DET} )?"
         rf"(?:[^ ,.]+ )?{PLACE}",
         anchors="step walk fall go climb leap jump throw yeet driv roll",
         before=r"bungee|base|cliff|ski", after=MEANS_AFTER),
    rule("en.on_the_height", S, HIGH,
         r"(?:(?:i'm|im|i am) )?(?:standing|sitting|up|out|perched|here) (?:up )?(?:on|at)"
         r" (?:the )?(?:edge of (?:the |a |my )?)?(?:roof|rooftop|ledge|bridge railing|railing"
         r"|parapet|edge of the platform|window ?sill)|(?:i'm|im|i am) on the (?:roof|ledge"
         r"|bridge)(?= (?:and|right|now|,|\.)(?!\S)|$)|looking down (?:from|off) (?:the|my|a)"
         r" (?:[^ ,.]+ )?(?:floor|roof|bridge|balcony|window|ledge)"
         r"|(?:the )?(?:height|drop|edge|tracks|water|river) (?:keeps|is|was) (?:calling|pulling)"
         r" (?:me|to me)",
         anchors="roof ledge railing parapet platform sill bridge looking_down calling pulling",
         after=r"fixing|repairing|cleaning|terrace|garden|bar|party|restaurant|with (?:my"
         r" |friends|the)|for (?:a|the) (?:party|drink|view|photo)|watching|taking|enjoying"
         r"|having|to (?:fix|watch|see|take)|all (?:day|morning|afternoon|week)|laying|tiling"
         r"|working|shingling|re-?roofing"),
    rule("en.means_gathered", S, HIGH,
         r"(?:counted|counting|saving up|saved up|stockpil\w+|hoarding|hoarded|collecting"
         r"|collected) (?:up )?(?:my|the|all (?:my|the)|enough) (?:sleeping )?(?:pills|tablets"
         r"|meds)|(?:bought|got|have|found) (?:a|the) (?:rope|noose)(?: [,.])? (?:and )?(?:i )?"
         r"(?:know|knows) (?:what|why)|noose (?:is )?(?:ready|tied|up)|(?:got|have|tied) (?:a|the)"
         r" (?:noose|rope) (?:tied|ready|up)(?: already)?|take every (?:single )?(?:pill|tablet)",
         anchors="count saving saved stockpil hoard collect rope noose every",
         after=r"for (?:the|a|my|this|next) (?:week|month|trip|vacation|holiday|organi[sz]er)"),
    rule("en.into_water", S, HIGH,
         r"(?:go|walk|drive|swim) (?:to|into|out into) (?:the|a) (?:bridge|cliff|river|sea|ocean"
         r"|tracks|lake) and (?:never|not) (?:come back|return)|walk (?:out )?into traffic",
         anchors="come_back return traffic"),
    rule("en.farewell_letters", S, HIGH,
         r"(?:writ\w+|wrote|left|leaving|leave|finished|prepar\w+) (?:\S+ ){0,2}?(?:letters?"
         rf"|notes?) (?:to|for) (?:(?P<me>(?:all )?my) (?:\S+ )?{KIN}|everyone|everybody|each of"
         rf"|the people i love|(?P<other>her|his|their) {KIN})|goodbye (?:letters|notes)"
         r"|passwords in a (?:note|letter) for",
         anchors="letter note",
         before=r"thank-you|thank you|thanks|love", after=r"when|while|at camp|from camp|every"
         r"|each|for (?:christmas|school|class|her birthday|his birthday|the holidays)|future"),
    rule("en.giving_away", S, HIGH,
         r"(?:giv(?:e|es|ing|en)|gave|hand(?:ing|ed)?) (?:away )?(?:(?:all|most) (?:of )?)?"
         r"(?:(?P<me>my)|(?P<other>her|his|their)) (?:\S+ )?(?:stuff|things|belongings|possessions"
         r"|clothes|books|games|jewelry|savings)(?: away)?|(?:giv(?:e|ing|en)|gave) away"
         r" [^.]{0,60}? won't need (?:them|it|any of it)|(?:my|all my) (?:stuff|things"
         r"|belongings) (?:is|are) (?:all )?given away|(?:giv(?:e|ing|en)|gave) away"
         r" (?:everything|all) i (?:own|have|had)|won't need (?:them|it|any of (?:it|this|them))"
         r" (?:anymore|any more|where i'm going)",
         anchors="giv gave hand need",
         after=r"because|before|for (?:the|my) move|to (?:charity|goodwill|the thrift|a thrift"
         r"|the shelter|a shelter|my nephew|my niece)|since (?:i'm|im) moving|as (?:i'm|im)"
         r" moving|a (?:wash|clean)|back|to the (?:cleaners|laundry)"),
    rule("en.pets_after_me", S, HIGH,
         rf"(?:cat|cats|dog|dogs|pets?|kids|children|plants|passwords|stuff|things)(?: [^.]"
         rf"{{0,40}}?)?"
         rf" {GONE}|{GONE}(?: [^.]{{0,40}}?)? (?:cat|cats|dog|dogs|pets?)|made sure (?:\S+ )"
         rf"{{1,3}}"
         r"(?:will )?(?:take|takes|look after|care for|keep|have) (?:care of )?(?:my|the)"
         r" (?:cat|dog|pets?)(?= [,.]|$| (?:when|after|forever|for good)(?!\S))|(?:gave|giving"
         r"|rehomed|rehoming) (?:away )?my (?:cat|dog) to (?:my |the |a )?[^ ,.]+ (?:so|to make"
         r" sure)",
         anchors="gone dead _around _here made_sure my_cat my_dog",
         after=TRIP),
    rule("en.goodbye", S, HIGH,
         r"(?:goodbye|bye|farewell) (?:to )?(?:everyone|everybody|all of you|y'all|world|my"
         r" friends|cruel world|forever)|this is (?:goodbye|my goodbye)|it was (?:nice|good"
         r"|great|an honou?r) knowing (?:you|y'all|everyone|all of you)|(?:say|said|saying|wanted"
         r" to say|to say) (?:my )?goodbyes?(?: to (?:everyone|everybody|you all|all of you))?"
         r"(?: [,.])? just in case|(?:said|saying) my goodbyes|(?:don't|dont|didn't|didnt) know"
         r" (?:it|that) was (?:a |the )?(?:goodbye|last time)|(?:saying|said|say) (?:my )?goodb"
         r"yes?"
         r" to (?:everyone|everybody|all of you|you all)(?= [,.]|$| tonight| today| now| just)"
         r"|(?:don't|dont|do not) blame"
         r" (?:yourselves|anyone|each other)|love you all(?: so much)?(?: [,.])? (?:please )?"
         r"(?:don't|dont|goodbye|bye|forgive)|tell (?:my )?[^ ,.]+ (?:that )?i (?:love|loved)"
         r" (?:her|him|them)|(?:say|saying|said) goodbye (?:to [^ ,.]+(?: [^ ,.]+)? )?without"
         r" (?:them|her|him|anyone|anybody|my [^ ,.]+) (?:knowing|realising|realizing|noticing)",
         anchors="goodbye bye farewell knowing blame love know_it know_that",
         negatable=False,
         after=r"(?:, )?(?:see (?:you|ya)|until|till|for now|for today|have a|i'm off|im off"
         r"|off to|going to|be back|back (?:soon|later|tomorrow|on|in)|good ?night|sleep well"
         r"|happy|to (?:my|the|our) (?:twenties|thirties|old|summer|job|apartment)|summer|for"
         r" the (?:test|exam|result)|thanks|thank you for the)"
         rf"|{FAREWELL_TO_A_PLACE}"),
    rule("en.not_here_by", S, HIGH,
         r"(?:won't|wont|will not|not going to|not gonna|ain't gonna) be (?:here|around|alive"
         r"|in this world|on this earth) (?:by|much longer|for long|anymore|any more|to see"
         rf"|after|soon|for (?:my|your|his|her) birthday|for christmas)(?: {DAY})?|(?:won't|wont"
         r"|will not|no longer) be a (?:problem|burden|bother) (?:for|to) (?:anyone|anybody"
         r"|everyone|you all|you guys)|(?:won't|wont"
         rf"|will not) be alive (?:\S+ )?{DAY}|(?:by|before) {DAY} (?:i'll|i will|ill|i'm going"
         r" to) be (?:gone|dead)|(?:i'll|i will) be (?:gone|dead) (?:by|before|soon|tomorrow)"
         r"(?: [^ ,.]+)?",
         anchors="_here _around alive world earth gone dead problem burden bother",
         negatable=False, after=TRIP),
    rule("en.last_message", S, HIGH,
         r"(?:this is|this'll be|this will be|it's|its|today is|tonight is) my (?:very )?last"
         r" (?:day|night|week|message|post|text|weekend)|(?:last time|the last) (?:you'll|you"
         r" will|anyone will|you ever) (?:hear from|see) me|(?:you won't|you wont|you will never"
         r"|you'll never|no one will) (?:ever )?(?:hear from|see) me (?:again|after|anymore"
         r"|ever)",
         anchors="last hear_from see_me",
         after=r"at|of|in|on|before|with|as|here|until|till|to|for|working|being"),
    rule("en.decided", S, HIGH,
         rf"(?:{DECIDED})(?= ?\.? ?$)|(?:{DECIDED}) [,.] (?:{FINAL})|(?:don't|dont|do not)"
         rf" (?:try to )?(?:stop|talk) me(?: out of it)?(?: [^ ,.]+){{0,2}}? [,.] (?:{DECIDED})"
         r"|(?:(?:i've|ive|i have) (?:picked|chosen|set)|i set) (?:a|the) (?:date|day|time)"
         r"(?: for it)?(?= ?\.? ?$| for it)|i (?:already )?know (?:when and how|how and when)"
         r"|i know (?:exactly )?how (?:i'm|im|i am) (?:going to|gonna) do it|i have a (?:plan"
         r" and a date|date and a plan)|(?:it's|its) all (?:planned|set)(?: [,.])? [^ ,.]+ is"
         r" the day|after (?:tonight|today|this week|friday) (?:none of this|nothing) (?:will"
         r"|is going to) matter|tonight is the night(?: [,.])? (?:i'm|im|i am) ready|won't"
         r" make it to (?:next (?:week|month|year)|the weekend|my birthday)",
         anchors="decided mind decision choice stop_me talk_me date day time when how plan"
                 " planned set matter night make_it",
         negatable=False,
         after=r"(?:, )?(?:the|my|this) [^ ]+ (?:i mean|that is)|for (?!it)\S+|party"),
    rule("en.burden", S, CONCERN,
         r"(?:(?:i'm|im|i am|i feel like|feel like|i'm just|i'm only) (?:just |only |such |so"
         r" much of |nothing but )?(?:a|an) (?:burden|waste of space|waste of oxygen)|nothing but"
         r" a burden)|(?:would|will|\S*'d|\S*'ll|would all|will all) be (?:better|happier|fine|"
         r"relieved|better off|easier)"
         r" (?:off )?(?:without (?P<me>me)|if (?P<me2>i) (?:(?:was|were|'m|am) (?:gone|dead|not"
         r" here|not around)|(?:wasn't|wasnt|weren't|werent) here|(?:didn't|didnt) exist"
         r"|(?:stopped|stop) existing|disappeared|died))|(?:life|things) would be easier"
         r" for everyone if i|(?:no one|nobody|noone) would (?:even )?(?:notice|miss me|care) if i"
         r" (?:disappeared|died|was gone|were gone|was dead|vanished|killed myself|left forever"
         r"|stopped existing|wasn't here|wasnt here|didn't exist|didnt exist)"
         r"|the world (?:doesn't|doesnt|does not) need me|(?:ruining|ruin) everyone's (?:life"
         r"|lives) by existing|(?:everyone|everybody)'s (?:life|lives) would be easier|in"
         r" everyone'?s way|dragging everyone down|(?:says?|saying|said|thinks?|feels?) (?:that )?"
         r"(?:we|they|everyone|everybody|we'd|they'd)(?: [^ .]+){0,3}? better off without"
         r" (?P<other>him|her|them)",
         anchors="burden waste without gone dead here around exist disappear died easier notic"
                 "e miss care"
                 " need_me existing way down",
         after=r"on (?:this|the|that) (?:project|team|trip)|for (?:a|the) (?:weekend|day|week"
         r"|night)|tonight|at (?:the|a) (?:party|meeting|conference)|(?:, )?(?:so|but) (?:thanks"
         r"|could|can)|asking|when i ask|(?:, )?(?:i'm|im) (?:too|so|really|just) (?:tired|busy"
         r"|sick)"),
    rule("en.why_not_die", S, CONCERN,
         r"why (?:can't|cant|can not|cannot) i (?:just )?(?:die|not wake up|disappear forever"
         r"|stop existing)|(?:what's|whats|what is) the point (?:of|in) (?:carrying on|going on"
         r"|living|being alive|staying alive|waking up|being here)"
         r"|(?:remove|take|cut) me (?:out )?(?:of|from) the equation",
         anchors="die wake disappear existing point equation",
         after=r"with|in (?:this|that|the|a|london|here) (?:job|city|town|game|class|house)"
         r"|(?:on )?(?:holiday|vacation|a trip|a date|dates|tour)|(?:if|when) (?:the|my) (?:team"
         r"|boss|game)|(?:about|of) it|at (?:work|school|this job)|of the (?:debate|project)"),
    rule("en.called_home", S, CONCERN,
         r"(?:ask|asks|asking|asked|beg|begging|pray|praying|prayed) (?:the (?:good )?lord|god"
         r"|jesus)(?: every night| each night| every day)? to (?:take|call|bring) me (?:home|away"
         r"|now)|(?:lord|god|jesus)(?: ,)? (?:please )?(?:just )?(?:take|call) me (?:home|now)"
         r"|ready for (?:the lord|god|jesus) to (?:take|call) me|(?:lord|god|jesus)(?: ,)?"
         r" (?:please )?(?:just )?take me(?= [,.]|$)|(?:ready to|going to|gonna|want to|wanna)"
         r" (?:go )?(?:see|join|be with|meet) (?:my )?(?:[^ ,.]+ ){1,2}in heaven (?:early|soon"
         r"|now|tonight|already)|time (?:i|to) (?:went to |go to |go )?(?:see|join|be with|meet)"
         r" (?:my )?(?:[^ ,.]+ ){1,2}in heaven",
         anchors="lord god jesus heaven",
         after=r"from (?:here|this|work)|(?:, )?(?:this|that) (?:meeting|traffic|queue)"),
    rule("en.wish_not_wake", S, CONCERN,
         r"(?:hope|hopes|hoping|pray|prays|praying|wish|wishes|wishing) (?:every night |that )?"
         r"(?:(?P<me>i)|(?P<other>"
         r"she|he)) (?:don't|dont|do not|won't|wont|doesn't|doesnt|never) wake up|(?:hope|pray"
         r"|wish) (?:i|that i) (?:die|pass) in my sleep|(?:i'd|i would|i'll) be (?:fine|okay|ok"
         r"|happy|glad|relieved) if i (?:didn't|didnt|don't|dont|never) wake up|(?:wouldn't"
         r"|wouldnt|would not) mind if (?:a|the) (?:truck|car|bus|train) hit me|(?:wish|hope)"
         r" (?:a|the) (?:truck|car|bus|train) (?:would |will )?(?:hit|hits) me|hope the plane"
         r" crashes|(?:wish|wished) i'?d? (?:never been born|get cancer|got cancer)|(?:i'd|i"
         r" would) welcome death|death would be a (?:relief|mercy|blessing)|(?:want to|wanna|wi"
         r"sh i"
         r" could) (?:just )?(?:be gone|go to sleep forever|fall asleep forever|cease to exist"
         r"|(?:go to|fall a?) ?sleep and (?:not|never) wake up)|want it (?:all )?to be over",
         anchors="wake sleep truck car bus train crash born cancer death gone forever exist"
                 " over",
         after=r"the baby|early|late|on (?:sundays|weekends|time)|this (?:exam|season|meeting"
         r"|week)|(?:, )?this (?:exam|season)|by noon|for a while|from"),
    rule("en.hopeless_ending", S, CONCERN,
         rf"(?:{HOPE}){GAP} (?:{ENDING})(?= [,.]|$)|(?:{ENDING}) [,.] (?:(?:there's|theres|there"
         rf" is|i have|i see) )?(?:{HOPE})"
         r"|(?:i'm|im|i am) (?:done|tired of) (?:trying to stay alive|staying alive)|out of"
         r" reasons to (?:keep going|live|stay)",
         anchors="done out finish giving give over end stop quit alive tired",
         negatable=False,
         before=r"game|team|diet|project|homework|laptop"),
    rule("en.slang", S, CONCERN,
         rf"(?:{ME}|gonna|going to|wanna|want to|should|might|about to|thinking about|might just"
         r"|should just) (?:just )?(?:kys|unalive|unaliving|off myself|offing myself|delete"
         r" myself|deleting myself|rope|roping)(?: myself)?|(?:thinking about|thinking of"
         r"|thought about|want to|wanna|going to|gonna) (?:unaliving|sewerslide|sewer slide"
         r"|sewer-slide|ending things|end things|the easy way out|take the easy way out|check"
         r" out (?:early|for good)|checking out (?:early|for good))|sewerslide|sewer slide"
         r"|sewer-slide|time to rope|checking out (?:early|for good|permanently)(?= [,.]|$)"
         r"|catch the bus(?: ,)? the permanent kind|ready to check out for good|with (?:\S+ )?in"
         r" heaven soon",
         anchors="kys unaliv off delet rope roping sewer ending end_things easy_way check heaven"
                 " bus",
         after=r"of|with (?:him|her|them|my (?:therapist|boyfriend|girlfriend|partner|ex))"
         r"|(?:, )?(?:it was|we|on a)|in some|me in|for the (?:trip|project)"),
    rule("en.meme_slang", S, CONCERN,
         r"(?:take|taking|took|have|having|gonna take|going to take) (?:a )?toaster bath"
         r"|(?:take|taking|gonna take|going to take) (?:a |the )?(?:long )?dirt nap"
         r"|(?:uninstall|uninstalling) (?:myself|my life)(?: irl)?|unalive (?:thoughts|urges"
         r"|ideation)|(?:commit|committing) sudoku|good ?night forever"
         r"|(?:log|logging) off (?:from life|permanently)(?= [,.]|$)",
         anchors="toaster dirt uninstall unalive sudoku forever log"),
    rule("en.log_off", S, CONCERN,
         r"(?:log|logging) off for good(?= [,.]|$)",
         anchors="log"),
]
# fmt: on

RULES: tuple[Rule, ...] = tuple(SIGNS)
