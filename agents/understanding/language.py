"""English or Spanish, from the words of a message: a count of each language's common words.

No model: each language's list holds its function words and the built-in agents' own vocabulary
(agents.action_specs.phrasings, agents.understanding.questions, agents.understanding.handoff), so a
request ("pausa Summer Sale") is recognised even when the names in it are English. A tie (a name, "ok", a
number) says nothing, and the caller falls back to the person's setting.
"""

import re

from agents.understanding.text import strip_accents, vocabulary

SPANISH = vocabulary(
    """el la los las lo le les un una unos unas es son esta estan esta estamos de del al que por para con sin
    mi mis tu su sus nuestra nuestro nuestras nuestros como que cual cuales cuanto cuantos cuantas donde cuando
    hola gracias buenos buenas dias tardes noches ayuda puedes puedo hacer haz dame muestrame ensename dime
    y o pero tambien ya ahora hoy manana lunes martes miercoles jueves viernes sabado domingo semana mes pasado
    ultimos ultimas ultima ultimo proximo proxima sube subir subele subelo aumenta aumentar duplica duplicalo
    baja bajar bajale bajalo reduce reducir recorta recortar pausa pausar pausala pausalo detén deten detener
    desactiva desactivar apaga reactiva reactivar reanuda reanudar vuelve volver activar enciende publica
    publicar publicalo publicala programa programar programalo programala agenda deja dejar anade agrega
    sigue seguir quita quitar elimina crea crear arma haz campana campanas presupuesto gasto anuncios
    palabra palabras clave posicion posiciones audiencia audiencias segmento segmentos borrador borradores
    contenido publicaciones publicacion articulo escribe redacta mejor peor mas menos dolares euros diario
    diarios diaria mitad favor tal va van funciona tiene tienen hay fueron fue estamos seguimos mediodia
    tamano personas crecen creciendo similar parecida parecido llamado llamada basado cosas sobre eso esa ese
    quiero necesito hablar persona alguien humano equipo llame llamar llamame llamen llamenme
    empieza empezar comienza quita quitale quitar despausa despausar trackear trackea monitorea dobla doblar
    doble cuadruple tercio tercios cuarto cuartos quinta parte deberiamos podemos conviene nos fue seguimos
    siguiendo"""
)
ENGLISH = vocabulary(
    """the a an is are was were of to in on for and or my our your it its this that what how which who can
    could please do does did with from by at be have has i we you me us show give tell list much many
    hi hello hey thanks thank help raise increase bump boost lower cut reduce trim set make pause stop halt
    resume restart turn switch back publish post schedule queue add track drop remove create build spin
    campaign campaigns budget spend ads keyword keywords rank ranking audience audiences segment segments
    drafts draft content best worst top doing going performing day daily per dollars today tomorrow
    monday tuesday wednesday thursday friday saturday sunday week month last next about write off up down
    too one half double numbers stats report overall morning noon afternoon evening like called based"""
)
SPANISH_MARKS = re.compile(r"[¿¡ñáéíóú]", re.I)


def spanish_words(text: str) -> int:
    """How many of `text`'s words are common Spanish ones (accents not counted)."""
    return sum(w in SPANISH for w in re.findall(r"[a-z]+", strip_accents(text.lower())))


def detect(text: str) -> str | None:
    """ "es" or "en" when the words plainly say so, else None."""
    words = re.findall(r"[a-z]+", strip_accents(text.lower()))
    spanish = sum(w in SPANISH for w in words) + 2 * len(SPANISH_MARKS.findall(text))
    english = sum(w in ENGLISH for w in words)
    if spanish > english:
        return "es"
    if english > spanish:
        return "en"
    return None
