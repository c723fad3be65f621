"""What demo activities say: topics, titles, reflection sentences, manager feedback, exemption details.

Pure data, made up. No names, dates or numbers anywhere: a reflection must never identify a patient.
"""
from __future__ import annotations

# Topics by tier: everyday conversations for everyone, clinical ones for tier 2, complex and leading for tier 3.
TOPICS = {
    1: ("reassuring an anxious patient during a transfer", "helping a lost and upset visitor",
        "a complaint at the front desk", "a telephone call from a worried relative",
        "talking with a patient who has dementia", "a patient with hearing loss", "explaining a delay in clinic",
        "speaking up about a safety concern", "a conversation with a patient whose first language is not English",
        "an angry caller on the phone"),
    2: ("explaining a chemotherapy delay", "a distressed relative at visiting time", "a handover at shift change",
        "consent for a procedure", "talking about pain with a patient who does not want to complain",
        "using an interpreter", "discharge planning with a family", "answering 'am I going to die?'",
        "supporting a patient after a new diagnosis", "setting goals for rehabilitation",
        "a conversation about eating and drinking at the end of life", "talking with a young carer"),
    3: ("breaking bad news", "discussing stopping active treatment", "advance care planning",
        "a family meeting about ceilings of care", "a complaint meeting with a family",
        "leading a team huddle after an incident", "giving feedback to a junior colleague",
        "a conversation about resuscitation decisions", "supporting a colleague after a death",
        "teaching communication skills to students", "chairing a multidisciplinary meeting"),
}
DEBRIEF_EVENTS = ("a difficult shift", "an unexpected death on the ward", "a violent incident", "a cardiac arrest",
                  "a complaint", "a busy weekend", "a safeguarding concern", "a long wait in the department")
SCHWARTZ_THEMES = ("The patient I'll never forget", "When it goes wrong", "Caring for colleagues",
                   "A patient who changed how I work", "Hope and uncertainty", "When we disagree with the family")
SHADOWING = ("the specialist palliative care team", "a clinical nurse specialist", "the patient advice and liaison team",
             "the chaplaincy team", "a consultant clinic", "the discharge team", "the acute oncology service")

TITLE_TEMPLATES = {
    "observed_practice_feedback": ("Observed practice: {topic}", "Observed with feedback: {topic}"),
    "simulation_role_play": ("Simulation session: {topic}", "Role-play with an actor: {topic}"),
    "reflective_case_review": ("Case review: {topic}", "Reflective case review: {topic}"),
    "clinical_supervision": ("Clinical supervision: {topic}",),
    "peer_supervision": ("Peer supervision group: {topic}",),
    "coaching_mentoring": ("Coaching session on {topic}", "Mentoring conversation about {topic}"),
    "team_debrief": ("Team debrief after {event}",),
    "schwartz_round": ("Schwartz round: {theme}",),
    "peer_observation": ("Peer observation: {topic}",),
    "shadowing": ("Shadowing {shadow}",),
    "workshop_with_practice": ("Communication skills workshop: {topic}",),
    "e_learning": ("e-learning: {topic}",),
    "reading_self_study": ("Reading about {topic}",),
    "lecture_conference": ("Conference session on {topic}", "Lecture: {topic}"),
}

# Sentences for each prompt; {topic} is the activity's subject. No names, dates or numbers:
# reflections must never identify a patient.
SENTENCES = {
    "what": ("I took part in a session on {topic}.", "This was about {topic}, with a colleague watching.",
             "We went over {topic} together as a team.", "I was involved in {topic} during a busy shift."),
    "so_what": ("I noticed that I rush to fill silences, and the person had more to say when I waited.",
                "Checking what the person already knew changed the whole conversation.",
                "It showed me how much my tone matters when someone is frightened.",
                "I realised I had been using jargon without noticing."),
    "now_what": ("Next time I will ask what matters most to the person before giving information.",
                 "I will practise summarising back and checking understanding.",
                 "I plan to ask a colleague to observe me again in a month.",
                 "I will share what I learned at our next team meeting."),
    "description": ("The activity was {topic}.", "I was part of {topic} with two colleagues.",
                    "I looked back on {topic} from last week."),
    "feelings": ("I felt nervous at first and more confident by the end.", "I felt out of my depth for a moment.",
                 "I was worried I would say the wrong thing."),
    "evaluation": ("What went well was that I introduced myself and explained why I was there.",
                   "The conversation was calm and the person said they felt listened to.",
                   "It went less well when I moved on before the person was ready."),
    "analysis": ("Leaving space helped the person say what was really worrying them.",
                 "Plain words worked better than the leaflet.",
                 "The noise on the ward made it hard to give full attention."),
    "conclusion": ("I could have checked understanding sooner.", "Slowing down made the conversation shorter, not longer.",
                   "Asking open questions first gave me a clearer picture."),
    "action_plan": ("I will use a simple structure for difficult conversations.",
                    "I will book a quiet room for conversations like this one.",
                    "I will ask for feedback from a senior colleague after my next one."),
    "activity": ("The activity was {topic}.", "I took part in {topic}."),
    "learning": ("I learned to stop and check what the person already understands.",
                 "I learned how much body language says when words are hard.",
                 "I learned to name emotions rather than move past them."),
    "practice": ("I now sit down and make eye contact before starting a difficult conversation.",
               "I now ask what matters most to the person before planning care.",
               "I have changed how I hand over so that worries are passed on."),
    "code": ("This relates to treating people as individuals and communicating clearly.",
             "It links to listening to people and responding to their preferences and concerns.",
             "It relates to working in partnership with people and their families."),
}
FEEDBACK = (
    "Thank you. Please say what you will do differently next time before I sign this off.",
    "Please choose the behaviours you actually practised; several of these do not match the summary.",
    "The duration looks high for a single session. Please check it and resubmit.",
    "Could you add a line on how the conversation went for the person? Then I can sign it off.",
    "Please take out the details that could identify the patient and resubmit.",
)
OTHER_EXEMPTION_DETAILS = ("Phased return agreed with occupational health", "Career break",
                           "Extended leave agreed by the directorate", "Working on a research project off site")
