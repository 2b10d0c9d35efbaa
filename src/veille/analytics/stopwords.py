"""Words too common to be a trend, in the hub's languages, folded (no accents, lower case).

Function words of French, English, Spanish, German, Italian, Portuguese and Dutch, the platforms'
own noise (``rt``, ``via``, ``amp``) and web debris. Trend terms are compared folded, so one list
serves "été" and "ete"; English contractions are listed as the terms reader keeps them
(``don't``, :mod:`veille.analytics.terms`).
"""

from __future__ import annotations

__all__ = ["STOP_WORDS"]


def _words(text: str) -> list[str]:
    return text.split()


_FR = _words("""au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les leur leurs
lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te
tes toi ton tu un une vos votre vous c d j l m n s t y ete etre avoir ai as avons avez ont est sont suis
es etes etait etaient sera seront fait faire plus moins tres trop bien tout tous toute toutes rien aussi
alors donc car comme quand encore deja ici la-bas ca cela ceci celui celle ceux chez sans sous entre vers
depuis apres avant pendant si non oui peu beaucoup autre autres meme quoi dont quel quelle quels quelles
lequel laquelle sont ya va vais vont fais font peut peux veux dit dire juste vraiment toujours jamais
chaque merci bonjour bonsoir svp stp quelqu'un quelqu'une""")
_EN = _words("""a about above after again against all am an and any are aren as at be because been before being
below between both but by can cannot could did didn do does doesn doing don down during each few for from
further had has have having he her here hers herself him himself his how i if in into is isn it its itself
just let me more most my myself no nor not now of off on once only or other our ours ourselves out over own
same she should so some such than that the their theirs them themselves then there these they this those
through to too under until up very was wasn we were weren what when where which while who whom why will with
won would you your yours yourself yourselves get got im ive dont cant its thats also still really one two
like know think going much many well even back today thanks thank please hi hello yes
don't doesn't didn't can't couldn't won't wouldn't shouldn't isn't aren't wasn't weren't haven't hasn't
hadn't mustn't needn't ain't i'm i've i'll i'd you're you've you'll you'd we're we've we'll we'd they're
they've they'll they'd he'll he'd she'll she'd it'll that'll there'll y'all""")
_ES = _words("""a al algo algunos ante antes como con contra cual cuando de del desde donde durante e el ella
ellas ellos en entre era eres es esa esas ese eso esos esta estaba estado estamos estan estar estas este
esto estos estoy fue fueron ha han has hasta hay la las le les lo los mas me mi mis mucho muy nada ni no
nos nosotros o os otra otro para pero poco por porque que quien se sea ser si sin sobre son su sus tambien
te tengo tiene tienen todo todos tu tus un una uno unos usted ya yo gracias hola hoy""")
_DE = _words("""aber alle als also am an auch auf aus bei bin bis bist da damit dann das dass dein deine dem den
der des dich die dir doch dort du durch ein eine einem einen einer eines er es euch euer fur hab habe haben
hat hatte ich ihr ihre im in ist ja jetzt kann kein keine mein meine mich mir mit muss nach nicht noch nur
ob oder schon sehr sein seine sich sie sind so uber um und uns unser vom von vor war waren warum was weil
wenn wer wie wir wird wo zu zum zur heute danke hallo""")
_IT = _words("""il lo la i gli le un uno una di da in con su per tra fra e o ma che chi non si mi ti ci vi ne del
della dei delle nel nella sono sei era essere ho hai ha abbiamo hanno questo questa quello quella come piu
anche molto tutto tutti grazie ciao oggi""")
_PT = _words("""o os as um uma uns umas de do da dos das em no na nos nas por para com sem e ou mas que se nao
sim eu tu ele ela nos vos eles elas meu minha seu sua isso isto aquilo muito mais tambem ja ainda foi ser
estar tem ter obrigado obrigada hoje""")
_NL = _words("""de het een en van ik je jij hij zij wij jullie ze is zijn was waren niet wel maar of dat die dit
deze met voor op aan in uit bij naar om te als er ook nog al dan hoe wat wie waar heb hebt heeft hebben
kan kunnen moet zal zou dank hallo vandaag""")
_NOISE = _words("""rt via amp http https www com org net html gt lt cc dm pm am ok lol mdr jaja haha xd""")

STOP_WORDS: frozenset[str] = frozenset(_FR + _EN + _ES + _DE + _IT + _PT + _NL + _NOISE)
