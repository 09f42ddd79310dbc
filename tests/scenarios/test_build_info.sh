#!/usr/bin/env bash
# The commit and dirty flag a binary reports are taken at build time (cmake/build_info.cmake, run by
# the aidcsim_build_info target at every build), not when CMake was configured:
#  1. in a throwaway git repository, the generator writes the HEAD commit and "no";
#  2. run again with nothing changed, it leaves the file untouched (nothing recompiles);
#  3. an edited or a new untracked file makes it "yes"; files in the build directory do not;
#  4. a commit made afterwards changes the commit it writes, and the tree is clean again;
#  5. outside a git checkout (a tarball) both are "unknown";
#  6. the aidcsim under test reports the commit of the checkout it was built from (when that is a git
#     checkout), with the SimGrid, Boost, fmt and nlohmann/json versions.
# Usage (from ctest): test_build_info.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
rm -rf "$out_dir"
mkdir -p "$out_dir"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v git >/dev/null || { echo "SKIPPED: no git"; exit 77; }
cmake_bin=$(command -v cmake) || { echo "SKIPPED: no cmake"; exit 77; }

repo=$out_dir/repo
gen=$repo/build/generated/build_info.cpp
g() { git -C "$repo" -c user.name=test -c user.email=test@example.invalid -c commit.gpgsign=false "$@"; }
generate() {
  "$cmake_bin" -DSOURCE_DIR="$1" -DIGNORE_DIR="$1/build" -DOUTPUT="$2" -DVERSION=9.9.9 \
    -P "$source_dir/cmake/build_info.cmake"
}
field() { sed -n "s/^const char\* const $1 = \"\(.*\)\";$/\1/p" "$gen"; }

mkdir -p "$repo"
git init -q "$repo"
echo one >"$repo/a.txt"
g add a.txt
g commit -q -m first
first=$(g rev-parse HEAD)

# 1.
generate "$repo" "$gen"
[[ $(field kGitCommit) == "$first" ]] || fail "commit: expected $first, got '$(field kGitCommit)'"
[[ $(field kGitDirty) == no ]] || fail "a clean tree is reported dirty: '$(field kGitDirty)'"
[[ $(field kVersion) == 9.9.9 ]] || fail "version: '$(field kVersion)'"

# 2. Unchanged: the file is not rewritten (same modification time, to the nanosecond).
before=$(stat -c %y "$gen")
generate "$repo" "$gen"
[[ $(stat -c %y "$gen") == "$before" ]] || fail "an unchanged commit rewrote the generated file (it would recompile)"

# 3. The build directory does not count; an edit or an untracked file does.
echo junk >"$repo/build/CMakeCache.txt"
generate "$repo" "$gen"
[[ $(field kGitDirty) == no ]] || fail "a file in the build directory made the tree dirty"
echo two >>"$repo/a.txt"
generate "$repo" "$gen"
[[ $(field kGitDirty) == yes ]] || fail "an edited tracked file is not reported dirty"
g checkout -q -- a.txt
echo new >"$repo/b.txt"
generate "$repo" "$gen"
[[ $(field kGitDirty) == yes ]] || fail "a new untracked file is not reported dirty"

# 4. A commit after the first generation (the case of a build not re-configured).
g add b.txt
g commit -q -m second
second=$(g rev-parse HEAD)
[[ $second != "$first" ]] || fail "the test commit did not move HEAD"
generate "$repo" "$gen"
[[ $(field kGitCommit) == "$second" ]] || fail "after a commit: expected $second, got '$(field kGitCommit)'"
[[ $(field kGitDirty) == no ]] || fail "after committing everything the tree is still reported dirty"

# 5. Not a git checkout.
plain=$out_dir/plain
mkdir -p "$plain"
echo one >"$plain/a.txt"
GIT_CEILING_DIRECTORIES=$out_dir generate "$plain" "$out_dir/plain.cpp"
grep -q 'kGitCommit = "unknown"' "$out_dir/plain.cpp" || fail "outside git: $(cat "$out_dir/plain.cpp")"
grep -q 'kGitDirty = "unknown"' "$out_dir/plain.cpp" || fail "outside git: $(cat "$out_dir/plain.cpp")"

# 6. The binary under test.
"$cli" --version >"$out_dir/version.txt" || fail "aidcsim --version failed"
for item in '^aidcsim [0-9]' '^commit ' '^SimGrid 3\.' '^Boost 1\.' '^fmt [0-9]' '^nlohmann/json 3\.'; do
  grep -q "$item" "$out_dir/version.txt" || fail "--version lacks '$item': $(cat "$out_dir/version.txt")"
done
if head=$(git -C "$source_dir" rev-parse HEAD 2>/dev/null); then
  grep -q "^commit $head" "$out_dir/version.txt" \
    || fail "the binary reports $(grep '^commit' "$out_dir/version.txt"), the checkout is at $head (rebuild after committing)"
fi
rm -rf "$repo" "$plain"
echo "build info: commit taken at build time, dirty flag follows git status, --version: $(sed -n 2p "$out_dir/version.txt")"
