"""Interface stage: settings, the `counterpoint` CLI (`interface.cli`) and the Gradio app
(`interface.web`); both are thin adapters over the stages below."""

__all__: list[str] = []
