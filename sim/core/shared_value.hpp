#pragma once
// A job's tenant and its allowed GPU models repeat over millions of jobs: each JobSpec keeps an
// 8-byte handle to one immutable copy, where a std::string takes 32 bytes and a vector 24
// (docs/performance.md, "What a job costs now"). Readers share one copy per distinct value through
// a SharedPool; a value made without one is still correct, only not shared.
#include <atomic>
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace aidcsim {

template <class T>
class Shared {
 public:
  Shared() : Shared(empty_value()) {}
  Shared(T value) : block_(new Block{std::move(value)}) {}  // NOLINT(google-explicit-constructor): a T where a T is expected
  Shared(const char* text)  // NOLINT(google-explicit-constructor)
    requires std::same_as<T, std::string>
      : Shared(T(text)) {}
  Shared(std::initializer_list<std::string> items)  // NOLINT(google-explicit-constructor): gpu_models = {"A100"}
    requires std::same_as<T, std::vector<std::string>>
      : Shared(T(items)) {}
  Shared(const Shared& other) noexcept : block_(other.block_) { block_->refs.fetch_add(1, std::memory_order_relaxed); }
  Shared& operator=(const Shared& other) noexcept {
    Shared copy(other);
    std::swap(block_, copy.block_);
    return *this;
  }
  ~Shared() {
    if (block_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete block_;
  }

  const T& get() const { return block_->value; }
  const T& operator*() const { return get(); }
  const T* operator->() const { return &get(); }
  operator const T&() const { return get(); }  // NOLINT(google-explicit-constructor)
  bool empty() const { return get().empty(); }
  auto size() const { return get().size(); }
  auto begin() const { return get().begin(); }
  auto end() const { return get().end(); }

  friend bool operator==(const Shared& a, const Shared& b) { return a.block_ == b.block_ || a.get() == b.get(); }
  friend bool operator==(const Shared& a, const T& b) { return a.get() == b; }
  friend bool operator==(const Shared& a, const char* b)
    requires std::same_as<T, std::string>
  {
    return a.get() == b;
  }

 private:
  struct Block {
    explicit Block(T v) : value(std::move(v)) {}
    std::atomic<std::uint32_t> refs{1};
    const T value;
  };
  // The empty value: every default-made handle shares it, so a JobSpec's defaults allocate nothing.
  static const Shared& empty_value() {
    static const Shared value{T{}};
    return value;
  }
  Block* block_;
};

// One shared copy per distinct value, while a trace is read.
template <class T>
class SharedPool {
 public:
  Shared<T> get(const T& value) {
    auto it = values_.find(value);
    if (it == values_.end()) it = values_.emplace(value, Shared<T>(value)).first;
    return it->second;
  }

 private:
  std::map<T, Shared<T>> values_;
};

}  // namespace aidcsim
