#include "distributed/arrival_tracker.h"

namespace mmoe::distributed {
namespace {
constexpr int kArrivalTag = 7001;
}

ArrivalTracker::ArrivalTracker(MPI_Comm comm) {
  MPI_Comm_dup(comm, &comm_);
  MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &world_size_);
  latest_.assign(static_cast<size_t>(world_size_), -1);
}

ArrivalTracker::~ArrivalTracker() {
  receive_arrived();
  for (auto& announcement : in_flight_) {
    for (auto& request : announcement.sends) {
      if (request != MPI_REQUEST_NULL) MPI_Request_free(&request);
    }
  }
  // Buffers of sends freed above may still be read by MPI: leak them rather than free early.
  if (!in_flight_.empty()) static_cast<void>(new std::list<Announcement>(std::move(in_flight_)));
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized && comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

void ArrivalTracker::announce(int64_t seq) {
  if (world_size_ == 1) return;
  release_completed();
  receive_arrived();
  auto& announcement = in_flight_.emplace_back();
  announcement.seq = seq;
  announcement.sends.resize(static_cast<size_t>(world_size_ - 1), MPI_REQUEST_NULL);
  size_t next = 0;
  for (int peer = 0; peer < world_size_; ++peer) {
    if (peer == rank_) continue;
    MPI_Isend(&announcement.seq, 1, MPI_INT64_T, peer, kArrivalTag, comm_, &announcement.sends[next++]);
  }
}

std::vector<int> ArrivalTracker::missing(int64_t seq) {
  receive_arrived();
  std::vector<int> ranks;
  for (int peer = 0; peer < world_size_; ++peer) {
    if (peer != rank_ && latest_[static_cast<size_t>(peer)] < seq) ranks.push_back(peer);
  }
  return ranks;
}

void ArrivalTracker::receive_arrived() {
  for (;;) {
    int flag = 0;
    MPI_Status status;
    if (MPI_Iprobe(MPI_ANY_SOURCE, kArrivalTag, comm_, &flag, &status) != MPI_SUCCESS || !flag) return;
    int64_t seq = -1;
    if (MPI_Recv(&seq, 1, MPI_INT64_T, status.MPI_SOURCE, kArrivalTag, comm_, MPI_STATUS_IGNORE) != MPI_SUCCESS) return;
    auto& latest = latest_[static_cast<size_t>(status.MPI_SOURCE)];
    if (seq > latest) latest = seq;
  }
}

void ArrivalTracker::release_completed() {
  while (!in_flight_.empty()) {
    auto& oldest = in_flight_.front();
    int done = 0;
    MPI_Testall(static_cast<int>(oldest.sends.size()), oldest.sends.data(), &done, MPI_STATUSES_IGNORE);
    if (!done) return;
    in_flight_.pop_front();
  }
}

}  // namespace mmoe::distributed
