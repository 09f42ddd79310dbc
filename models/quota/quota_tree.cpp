#include "models/quota/quota_tree.hpp"

#include <algorithm>

namespace aidcsim {

static QuotaAmount add_saturating(QuotaAmount a, QuotaAmount b) { return std::min(kUnlimitedQuota, a + b); }

int QuotaTree::add_node(std::string name, bool cluster_queue) {
  Node n;
  n.name = std::move(name);
  n.cluster_queue = cluster_queue;
  n.quota.resize(frs_);
  n.subtree.assign(frs_, 0);
  n.usage.assign(frs_, 0);
  nodes_.push_back(std::move(n));
  return static_cast<int>(nodes_.size()) - 1;
}

int QuotaTree::root(int node) const {
  while (nodes_[node].parent >= 0) node = nodes_[node].parent;
  return node;
}

void QuotaTree::finalize() {
  // Depth first: a node's subtree quota needs its children's (the tree has no cycle: checked by the reader).
  std::vector<int> depth(nodes_.size(), 0);
  for (std::size_t n = 0; n < nodes_.size(); ++n)
    for (int p = nodes_[n].parent; p >= 0; p = nodes_[p].parent) ++depth[n];
  std::vector<int> order(nodes_.size());
  for (std::size_t n = 0; n < order.size(); ++n) order[n] = static_cast<int>(n);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return depth[a] > depth[b]; });
  for (auto& n : nodes_)
    for (int fr = 0; fr < frs_; ++fr) n.subtree[fr] = n.quota[fr].nominal;
  for (int n : order) {
    int p = nodes_[n].parent;
    if (p < 0) continue;
    for (int fr = 0; fr < frs_; ++fr)
      nodes_[p].subtree[fr] = add_saturating(nodes_[p].subtree[fr], nodes_[n].subtree[fr] - local_quota(n, fr));
  }
}

QuotaAmount QuotaTree::local_quota(int node, int fr) const {
  const auto& lending = nodes_[node].quota[fr].lending_limit;
  return lending ? std::max<QuotaAmount>(0, nodes_[node].subtree[fr] - *lending) : 0;
}

QuotaAmount QuotaTree::local_available(int node, int fr) const {
  return std::max<QuotaAmount>(0, local_quota(node, fr) - nodes_[node].usage[fr]);
}

QuotaAmount QuotaTree::available(int node, int fr) const {
  const Node& n = nodes_[node];
  if (n.parent < 0) return n.subtree[fr] - n.usage[fr];
  QuotaAmount parent_available = available(n.parent, fr);
  if (const auto& borrowing = n.quota[fr].borrowing_limit) {
    QuotaAmount lq = local_quota(node, fr);
    QuotaAmount stored_in_parent = n.subtree[fr] - lq;
    QuotaAmount used_in_parent = std::max<QuotaAmount>(0, n.usage[fr] - lq);
    parent_available = std::min(parent_available, add_saturating(stored_in_parent - used_in_parent, *borrowing));
  }
  return local_available(node, fr) + parent_available;
}

QuotaAmount QuotaTree::potential_available(int node, int fr) const {
  const Node& n = nodes_[node];
  if (n.parent < 0) return n.subtree[fr];
  QuotaAmount avail = add_saturating(local_quota(node, fr), potential_available(n.parent, fr));
  if (const auto& borrowing = n.quota[fr].borrowing_limit) avail = std::min(avail, add_saturating(n.subtree[fr], *borrowing));
  return avail;
}

void QuotaTree::add_usage(int node, int fr, QuotaAmount v) {
  QuotaAmount local = local_available(node, fr);
  nodes_[node].usage[fr] += v;
  if (nodes_[node].parent >= 0 && v > local) add_usage(nodes_[node].parent, fr, v - local);
}

void QuotaTree::remove_usage(int node, int fr, QuotaAmount v) {
  QuotaAmount stored_in_parent = nodes_[node].usage[fr] - local_quota(node, fr);
  nodes_[node].usage[fr] -= v;
  if (stored_in_parent <= 0 || nodes_[node].parent < 0) return;
  remove_usage(nodes_[node].parent, fr, std::min(v, stored_in_parent));
}

}  // namespace aidcsim
