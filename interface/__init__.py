"""Interface stage: settings, the `counterpoint` CLI and the Gradio app."""
