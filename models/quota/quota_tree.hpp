#pragma once
// Kueue's quota arithmetic over a tree of ClusterQueues and cohorts, per flavor-resource (FR), as in
// kueue pkg/cache/scheduler/resource_node.go (docs/quota.md, "Kueue: the rules"): a node's subtree
// quota, the local quota it never lends (nominal - lendingLimit), usage that bubbles up past it,
// and available / potentialAvailable capped by borrowingLimit. Amounts are integers (milli-GPUs,
// milli-CPUs, MiB), so every comparison is exact.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aidcsim {

using QuotaAmount = std::int64_t;
inline constexpr QuotaAmount kUnlimitedQuota = INT64_MAX / 4;

struct FrQuota {
  QuotaAmount nominal = 0;
  std::optional<QuotaAmount> borrowing_limit;  // none = may borrow all the parent offers
  std::optional<QuotaAmount> lending_limit;    // none = lends all it does not use
};

class QuotaTree {
 public:
  explicit QuotaTree(int frs) : frs_(frs) {}
  int add_node(std::string name, bool cluster_queue);
  void set_parent(int node, int parent) { nodes_[node].parent = parent; }
  void set_quota(int node, int fr, const FrQuota& q) { nodes_[node].quota[fr] = q; }
  // After the tree is built: subtree quotas, bottom-up.
  void finalize();

  int frs() const { return frs_; }
  int size() const { return static_cast<int>(nodes_.size()); }
  int parent(int node) const { return nodes_[node].parent; }
  const std::string& name(int node) const { return nodes_[node].name; }
  bool is_cluster_queue(int node) const { return nodes_[node].cluster_queue; }
  int root(int node) const;
  const FrQuota& quota(int node, int fr) const { return nodes_[node].quota[fr]; }
  QuotaAmount subtree_quota(int node, int fr) const { return nodes_[node].subtree[fr]; }
  QuotaAmount usage(int node, int fr) const { return nodes_[node].usage[fr]; }
  QuotaAmount local_quota(int node, int fr) const;
  QuotaAmount local_available(int node, int fr) const;
  // What the node may still take (may be negative after over-admission; callers clamp).
  QuotaAmount available(int node, int fr) const;
  QuotaAmount potential_available(int node, int fr) const;
  // Borrowing: usage (+ v) above the node's own subtree quota (its nominal, for a ClusterQueue).
  bool borrowing_with(int node, int fr, QuotaAmount v) const { return usage(node, fr) + v > subtree_quota(node, fr); }
  bool within_nominal(int node, int fr) const { return usage(node, fr) <= subtree_quota(node, fr); }
  void add_usage(int node, int fr, QuotaAmount v);
  void remove_usage(int node, int fr, QuotaAmount v);

 private:
  struct Node {
    std::string name;
    bool cluster_queue = false;
    int parent = -1;
    std::vector<FrQuota> quota;
    std::vector<QuotaAmount> subtree, usage;
  };
  int frs_;
  std::vector<Node> nodes_;
};

}  // namespace aidcsim
