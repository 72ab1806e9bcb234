"""The widgets of a model that writes (notebooks 14 and 17): type a prompt, see what comes next and where a head
looks."""

from __future__ import annotations

import functools

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .. import describe, plots, steps
from ..app import App, changing_artists
from ..gpt.sample import sample_next


def gpt_explorer(
    model, prompt: str = "I was ", temperature: float = 1.0, top_k: int = 10, layer: int = 0, head: int = 0
) -> App:
    """A prompt box, temperature, top-k and top-p sliders, layer and head selectors and a button that appends a
    sampled character: the ten most likely next characters, and the last position's attention over the prompt."""
    run = functools.lru_cache(maxsize=32)(lambda p: steps.run_prompt(model, p))  # sliders reuse the prompt's run

    def step(prompt, temperature, top_k, top_p, layer, head):
        return steps.next_character_step(model, prompt, temperature, top_k, layer, head, run=run, top_p=top_p)

    settings = (prompt, temperature, top_k, model.config.vocab_size, layer, head)
    return _writer(model, settings, step, "character", "gpt_next")


def llm_explorer(
    model, prompt: str = "The river bank was", temperature: float = 0.7, top_k: int = 40, layer: int = 0, head: int = 0
) -> App:
    """Notebook 17's SmolLM2: a prompt box, temperature, top-k and top-p sliders, layer and head sliders and a button
    that appends a sampled token: the ten most likely next tokens, and the last token's attention over the prompt."""
    run = functools.lru_cache(maxsize=8)(lambda p: steps.run_tokens(model, p))  # one pass per new prompt

    def step(prompt, temperature, top_k, top_p, layer, head):
        return steps.next_token_step(model, prompt, temperature, top_k, layer, head, run=run, top_p=top_p)

    settings = (prompt, temperature, top_k, 100, layer, head)
    return _writer(model, settings, step, "token", "llm_next")


def _writer(model, settings: tuple, step, unit: str, name: str) -> App:
    """The widget of a model that writes, by characters or by tokens (their labels stand on end)."""
    prompt, temperature, top_k, top_k_max, layer, head = settings
    config = model.config
    controls = {
        "prompt": widgets.Text(value=prompt, description="prompt", continuous_update=False),
        "temperature": widgets.FloatSlider(
            value=temperature, min=0.0, max=2.0, step=0.1, description="temperature", continuous_update=True
        ),
        "top_k": widgets.IntSlider(value=top_k, min=1, max=top_k_max, description="top-k", continuous_update=True),
        "top_p": widgets.FloatSlider(  # 1.0 keeps every character: top-p off
            value=1.0, min=0.05, max=1.0, step=0.05, description="top-p", continuous_update=True
        ),
        "layer": widgets.IntSlider(value=layer, min=0, max=config.n_layers - 1, description="layer"),
        "head": widgets.Dropdown(options=list(range(config.n_heads)), value=head, description="head"),
    }
    button = widgets.Button(description=f"append a sampled {unit}", tooltip=f"draw the next {unit} and add it")
    tokens = unit == "token"
    fig = Figure(figsize=(10, 4.4 if tokens else 3.6), dpi=80)
    ax_p, ax_a = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2, 3]})
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.3 if tokens else 0.16, top=0.88, wspace=0.2)
    drawn = {}

    def draw(r: steps.NextCharacterStep):
        key = (tuple(r.top_chars), tuple(r.shown))
        if drawn.get("key") != key:  # new labels: the bars are drawn anew
            for ax in (ax_p, ax_a):
                ax.clear()
            plots.bars(r.top_probs, r.top_chars, f"the next {unit}", ax=ax_p, ylabel="probability")
            plots.bars(r.attention, r.shown, f"where the last {unit} looks", ax=ax_a, ylabel="weight")
            if tokens:  # a token's label is a word: standing on end, side by side, they never overlap
                for ax in (ax_p, ax_a):
                    ax.tick_params(axis="x", labelrotation=90)
            drawn["key"] = key
        else:  # fixed titles (the controls show temperature, top-k, layer, head): only the bars are redrawn
            plots.update_bars(ax_p, r.top_probs)
            plots.update_bars(ax_a, r.attention)

    def alt_text(r: steps.NextCharacterStep):
        alt = (
            describe.bars(r.top_probs, r.top_chars, f"the ten most likely next {unit}s", "probability")
            + " "
            + describe.bars(r.attention, r.shown, f"layer {r.layer}, head {r.head}: the last {unit}'s attention")
        )
        rows = [f"next: {c}" for c in r.top_chars] + [
            f"looks at {c} ({i - len(r.shown)})" for i, c in enumerate(r.shown)
        ]
        values = np.concatenate([r.top_probs, r.attention])[:, None]
        caption = f"probabilities of the next {unit}; layer {r.layer}, head {r.head}'s weights (position from the end)"
        return alt, describe.table_html(values, rows, ["value"], caption)

    changing = functools.partial(changing_artists, ax_p, ax_a, titles=False)
    app = App(controls, fig, step, draw, alt_text, name=name, extras=[button], dynamic=changing)
    rng = np.random.default_rng(0)

    def append(_button) -> None:
        r = app.result
        if r is None or app.error is not None:  # the prompt is not valid: the message above says why
            return
        text = model.decode([sample_next(r.logits, r.temperature, r.top_k, r.top_p, rng=rng)])
        controls["prompt"].value = controls["prompt"].value + text

    button.on_click(append)
    return app
