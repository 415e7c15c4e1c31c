#pragma once
// Which ranks have joined a collective: a heartbeat for naming the stragglers after a timeout.
//
// Every collective of a communicator has a sequence number, the same on every rank (ranks call
// the same collectives in the same order). On entering collective `seq` a rank sends `seq` to
// every peer on a private duplicate of the communicator (8 bytes each, eager, never waited for).
// After a timeout, the waiting rank reads what arrived: a peer whose latest number is below `seq`
// has not joined. Cost: world_size - 1 tiny sends and receives per collective.
#include <cstdint>
#include <list>
#include <vector>

#include <mpi.h>

namespace mmoe::distributed {

class ArrivalTracker {
 public:
  explicit ArrivalTracker(MPI_Comm comm);  // duplicates comm
  ~ArrivalTracker();
  ArrivalTracker(const ArrivalTracker&) = delete;
  ArrivalTracker& operator=(const ArrivalTracker&) = delete;

  // This rank has entered collective `seq`.
  void announce(int64_t seq);
  // Peers (in rank order) whose latest announced sequence number is below `seq`.
  std::vector<int> missing(int64_t seq);

 private:
  struct Announcement {
    int64_t seq = 0;  // the send buffer: stays put until every send completed
    std::vector<MPI_Request> sends;
  };
  void receive_arrived();
  void release_completed();

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int world_size_ = 1;
  std::vector<int64_t> latest_;  // per peer; -1 = nothing heard
  std::list<Announcement> in_flight_;
};

}  // namespace mmoe::distributed
