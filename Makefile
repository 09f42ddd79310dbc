# make run | make test | make bench — each installs what is missing, configures and builds first.
BUILD_DIR ?= build
BENCH_DIR ?= build-release
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
DEBIAN_PACKAGES := cmake g++ make pkg-config libsimgrid-dev libboost-graph-dev libfmt-dev nlohmann-json3-dev \
  libcli11-dev libgtest-dev zlib1g-dev python3 python3-pandas python3-matplotlib

.PHONY: all deps configure build run test bench clean study

all: build

deps:
	@bash .ci/install-deps $(DEBIAN_PACKAGES)

$(BUILD_DIR)/Makefile: | deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo

configure: deps $(BUILD_DIR)/Makefile

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Only the simulator: the tests are built by `make test`.
run: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target aidcsim_cli
	$(BUILD_DIR)/aidcsim run scenarios/quickstart.json --out results/quickstart

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 1200

bench: deps
	@bash .ci/install-deps time
	cmake -S . -B $(BENCH_DIR) -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF
	cmake --build $(BENCH_DIR) -j $(JOBS)
	bash bench/run.sh $(BENCH_DIR)

clean:
	rm -rf $(BUILD_DIR) $(BENCH_DIR)

# The example study (docs/sweeps.md): 4 schedulers x 3 arrival rates x 5 seeds on a Philly week (60 points,
# about 1.5 min on 2 cores), then the comparison table and figures; docs/update_study.py adds the CDFs
# at the highest load and copies table and figures into docs/sweeps.md (between its study markers, never
# hand-edited) and docs/images/study_*.png. A second run reuses the finished points (delete STUDY_OUT to run them again).
STUDY_OUT ?= results/studies/philly-week-policies
study: build
	$(BUILD_DIR)/aidcsim sweep scenarios/studies/philly-week-policies.json --out $(STUDY_OUT)
	/usr/bin/python3 analysis/compare.py $(STUDY_OUT) --out $(STUDY_OUT)/tables
	/usr/bin/python3 analysis/plot.py $(STUDY_OUT) --x workload.jobs.time_scale --out $(STUDY_OUT)/figures
	/usr/bin/python3 docs/update_study.py $(STUDY_OUT)
