// The core's event queue (sim/core/events.hpp): the documented order at one instant, cancellation,
// wake-ups that are spent, and which events keep a simulation going.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/core/events.hpp"

namespace aidcsim {
namespace {

struct Recorder final : EventHandler {
  std::vector<std::string>* log;
  explicit Recorder(std::vector<std::string>* l) : log(l) {}
  void on_event(std::uint64_t payload, double now_s) override {
    log->push_back("model " + std::to_string(payload) + " @" + std::to_string(static_cast<int>(now_s)));
  }
};

TEST(EventQueue, RunEndsThenModelEventsEachInSchedulingOrder) {
  EventQueue q;
  std::vector<std::string> log;
  Recorder r(&log);
  q.at(10, &r, 1, true);
  q.run_end_at(10, 7, 0);
  q.run_end_at(5, 8, 0);
  q.at(10, &r, 2, false);
  q.run_end_at(10, 9, 3);
  auto run_end = [&](JobIndex j, std::uint32_t epoch, double t) {
    log.push_back("end " + std::to_string(j) + "/" + std::to_string(epoch) + " @" + std::to_string(static_cast<int>(t)));
  };
  q.pop_due(4, run_end);
  EXPECT_TRUE(log.empty());
  q.pop_due(10, run_end);
  // The job due at 5 ends at its own time even when handed over later.
  EXPECT_EQ(log, (std::vector<std::string>{"end 8/0 @5", "end 7/0 @10", "end 9/3 @10", "model 1 @10", "model 2 @10"}));
  EXPECT_EQ(q.next_run_end_s(), EventQueue::kNever);
  EXPECT_FALSE(q.keeps_alive());
}

TEST(EventQueue, CancelledRunEndsNeitherHappenNorKeepTheRunAlive) {
  EventQueue q;
  q.run_end_at(20, 1, 0);
  q.run_end_at(30, 1, 1);
  q.cancel_run_end(1, 0);
  EXPECT_EQ(q.next_run_end_s(), 30);
  std::vector<JobIndex> ended;
  q.pop_due(100, [&](JobIndex j, std::uint32_t epoch, double) { ended.push_back(j * 10 + epoch); });
  EXPECT_EQ(ended, (std::vector<JobIndex>{11}));
  q.run_end_at(40, 2, 0);
  q.cancel_run_end(2, 0);
  EXPECT_FALSE(q.keeps_alive());
}

TEST(EventQueue, WakeUpsAreDeduplicatedAndSpentOnceTimePasses) {
  EventQueue q;
  q.wake_at(50);
  q.wake_at(50);
  q.wake_at(70);
  EXPECT_EQ(q.next_wakeup_s(0), 50);
  EXPECT_EQ(q.next_wakeup_s(50), 70);
  EXPECT_EQ(q.next_wakeup_s(70), EventQueue::kNever);
  EXPECT_FALSE(q.keeps_alive());  // a wake-up alone does not keep a simulation going
}

TEST(EventQueue, ModelEventsScheduledWhileHandlingRunAtTheSameInstant) {
  EventQueue q;
  std::vector<std::string> log;
  struct Chain final : EventHandler {
    EventQueue* q;
    std::vector<std::string>* log;
    void on_event(std::uint64_t payload, double now_s) override {
      log->push_back(std::to_string(payload));
      if (payload < 3) q->at(now_s, this, payload + 1, true);
    }
  } chain;
  chain.q = &q;
  chain.log = &log;
  q.at(5, &chain, 1, true);
  EXPECT_TRUE(q.keeps_alive());
  q.pop_due(5, [](JobIndex, std::uint32_t, double) {});
  EXPECT_EQ(log, (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_FALSE(q.keeps_alive());
}

}  // namespace
}  // namespace aidcsim
