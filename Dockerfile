# Claims Triage Workbench — the Streamlit app on port 8501; the same image runs the scoring API
# on port 8000 (`python -m core serve --host 0.0.0.0`). Both together: compose.yaml.
# Build:  docker build -t workbench .
# Run:    docker run -p 8501:8501 -v wb-data:/app/data -v wb-models:/app/models workbench
# API:    docker run -p 8000:8000 -v wb-data:/app/data -v wb-models:/app/models workbench \
#           python -m core serve --host 0.0.0.0 --port 8000
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# libgomp1: OpenMP runtime needed by xgboost and scikit-learn wheels.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 workbench

WORKDIR /app

# Dependencies in their own layer: rebuilt only when requirements.txt changes.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=workbench:workbench . .
RUN mkdir -p data models && chown workbench:workbench data models

USER workbench
VOLUME ["/app/data", "/app/models"]
EXPOSE 8501 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD curl --fail --silent http://localhost:8501/_stcore/health || exit 1

# First start: demo data and a default model are created when absent (in the volumes).
CMD ["sh", "-c", "python -m core ensure-model && exec python -m app.serve --server.headless=true --server.port=8501 --server.address=0.0.0.0 --browser.gatherUsageStats=false"]
