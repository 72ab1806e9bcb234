import matplotlib

matplotlib.use("Agg")  # headless: widget callbacks and plots are tested without a browser
