// The ServerMetrics table, written from ZooKeeper 3.8.0's ServerMetrics
// (names, kinds and update sites, checked against a real 3.8.0 mntr in
// testdata). Its order is mntr's order after the classic gauges.

package metrics

// Server is one server's set of 3.8 ServerMetrics. Every field is safe for
// concurrent use and cheap to update (atomics plus, for summaries, one
// client_golang Observe); New fills them all. The pipeline updates them
// through the fields or the helper methods in hooks.go; mntr and the
// Prometheus endpoint read them back through Dump and Collector.
type Server struct {
	defs []*entry
	reg  *registry

	// FsyncTime is 3.8's fsynctime (ServerMetrics.FSYNC_TIME), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in FileTxnLog.commit.
	FsyncTime *Summary
	// SnapshotTime is 3.8's snapshottime (ServerMetrics.SNAPSHOT_TIME), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in ZooKeeperServer.takeSnapshot.
	SnapshotTime *Summary
	// DBInitTime is 3.8's dbinittime (ServerMetrics.DB_INIT_TIME), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in ZKDatabase.loadDataBase.
	DBInitTime *Summary
	// ReadLatency is 3.8's readlatency (ServerMetrics.READ_LATENCY), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in ServerStats.updateLatency.
	ReadLatency *Summary
	// UpdateLatency is 3.8's updatelatency (ServerMetrics.UPDATE_LATENCY), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in ServerStats.updateLatency.
	UpdateLatency *Summary
	// PropagationLatency is 3.8's propagation_latency (ServerMetrics.PROPAGATION_LATENCY), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in FinalRequestProcessor.applyRequest.
	PropagationLatency *Summary
	// FollowerSyncTime is 3.8's follower_sync_time (ServerMetrics.FOLLOWER_SYNC_TIME), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in Follower.followLeader.
	FollowerSyncTime *Summary
	// ObserverSyncTime is 3.8's observer_sync_time (ServerMetrics.OBSERVER_SYNC_TIME), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in Observer.observeLeader.
	ObserverSyncTime *Summary
	// ElectionTime is 3.8's election_time (ServerMetrics.ELECTION_TIME), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in Follower.followLeader, Leader.lead.
	ElectionTime *Summary
	// LookingCount is 3.8's looking_count (ServerMetrics.LOOKING_COUNT), a counter;
	// 3.8 updates it in QuorumPeer.run.
	LookingCount *Counter
	// DiffCount is 3.8's diff_count (ServerMetrics.DIFF_COUNT), a counter;
	// 3.8 updates it in LearnerHandler.run.
	DiffCount *Counter
	// SnapCount is 3.8's snap_count (ServerMetrics.SNAP_COUNT), a counter;
	// 3.8 updates it in LearnerHandler.run.
	SnapCount *Counter
	// CommitCount is 3.8's commit_count (ServerMetrics.COMMIT_COUNT), a counter;
	// 3.8 updates it in Leader.commit.
	CommitCount *Counter
	// ConnectionRequestCount is 3.8's connection_request_count (ServerMetrics.CONNECTION_REQUEST_COUNT), a counter;
	// 3.8 updates it in ZooKeeperServer.processConnectRequest.
	ConnectionRequestCount *Counter
	// ConnectionTokenDeficit is 3.8's connection_token_deficit (ServerMetrics.CONNECTION_TOKEN_DEFICIT), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in ZooKeeperServer.processConnectRequest.
	ConnectionTokenDeficit *Summary
	// ConnectionRejected is 3.8's connection_rejected (ServerMetrics.CONNECTION_REJECTED), a counter;
	// 3.8 updates it in NIOServerCnxn.doIO, NIOServerCnxnFactory.AcceptThread.doAccept, NettyServerCnxn.receiveMessage, NettyServerCnxnFactory.channelActive.
	ConnectionRejected *Counter
	// InflightSnapCount is 3.8's inflight_snap_count (ServerMetrics.INFLIGHT_SNAP_COUNT), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in LearnerHandler.run.
	InflightSnapCount *Summary
	// InflightDiffCount is 3.8's inflight_diff_count (ServerMetrics.INFLIGHT_DIFF_COUNT), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in LearnerHandler.run.
	InflightDiffCount *Summary
	// WritePerNamespace is 3.8's write_per_namespace (ServerMetrics.WRITE_PER_NAMESPACE), a basic summary set keyed by "key";
	// 3.8 updates it in DataTree.updateWriteStat.
	WritePerNamespace *SummarySet
	// ReadPerNamespace is 3.8's read_per_namespace (ServerMetrics.READ_PER_NAMESPACE), a basic summary set keyed by "key";
	// 3.8 updates it in DataTree.updateReadStat.
	ReadPerNamespace *SummarySet
	// BytesReceivedCount is 3.8's bytes_received_count (ServerMetrics.BYTES_RECEIVED_COUNT), a counter;
	// 3.8 updates it in ServerCnxn.packetReceived.
	BytesReceivedCount *Counter
	// UnrecoverableErrorCount is 3.8's unrecoverable_error_count (ServerMetrics.UNRECOVERABLE_ERROR_COUNT), a counter;
	// 3.8 updates it in ZooKeeperCriticalThread.handleException.
	UnrecoverableErrorCount *Counter
	// NodeCreatedWatcher is 3.8's node_created_watch_count (ServerMetrics.NODE_CREATED_WATCHER), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in WatchManager.triggerWatch, WatchManagerOptimized.updateMetrics.
	NodeCreatedWatcher *Summary
	// NodeDeletedWatcher is 3.8's node_deleted_watch_count (ServerMetrics.NODE_DELETED_WATCHER), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in WatchManager.triggerWatch, WatchManagerOptimized.updateMetrics.
	NodeDeletedWatcher *Summary
	// NodeChangedWatcher is 3.8's node_changed_watch_count (ServerMetrics.NODE_CHANGED_WATCHER), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in WatchManager.triggerWatch, WatchManagerOptimized.updateMetrics.
	NodeChangedWatcher *Summary
	// NodeChildrenWatcher is 3.8's node_children_watch_count (ServerMetrics.NODE_CHILDREN_WATCHER), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in WatchManager.triggerWatch, WatchManagerOptimized.updateMetrics.
	NodeChildrenWatcher *Summary
	// AddDeadWatcherStallTime is 3.8's add_dead_watcher_stall_time (ServerMetrics.ADD_DEAD_WATCHER_STALL_TIME), a counter;
	// 3.8 updates it in WatcherCleaner.addDeadWatcher.
	AddDeadWatcherStallTime *Counter
	// DeadWatchersQueued is 3.8's dead_watchers_queued (ServerMetrics.DEAD_WATCHERS_QUEUED), a counter;
	// 3.8 updates it in WatcherCleaner.addDeadWatcher.
	DeadWatchersQueued *Counter
	// DeadWatchersCleared is 3.8's dead_watchers_cleared (ServerMetrics.DEAD_WATCHERS_CLEARED), a counter;
	// 3.8 updates it in WatcherCleaner.doWork.
	DeadWatchersCleared *Counter
	// DeadWatchersCleanerLatency is 3.8's dead_watchers_cleaner_latency (ServerMetrics.DEAD_WATCHERS_CLEANER_LATENCY), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in WatcherCleaner.doWork.
	DeadWatchersCleanerLatency *Summary
	// ResponsePacketCacheHits is 3.8's response_packet_cache_hits (ServerMetrics.RESPONSE_PACKET_CACHE_HITS), a counter;
	// 3.8 updates it in ServerCnxn.serialize.
	ResponsePacketCacheHits *Counter
	// ResponsePacketCacheMissing is 3.8's response_packet_cache_misses (ServerMetrics.RESPONSE_PACKET_CACHE_MISSING), a counter;
	// 3.8 updates it in ServerCnxn.serialize.
	ResponsePacketCacheMissing *Counter
	// ResponsePacketGetChildrenCacheHits is 3.8's response_packet_get_children_cache_hits (ServerMetrics.RESPONSE_PACKET_GET_CHILDREN_CACHE_HITS), a counter;
	// 3.8 updates it in ServerCnxn.serialize.
	ResponsePacketGetChildrenCacheHits *Counter
	// ResponsePacketGetChildrenCacheMissing is 3.8's response_packet_get_children_cache_misses (ServerMetrics.RESPONSE_PACKET_GET_CHILDREN_CACHE_MISSING), a counter;
	// 3.8 updates it in ServerCnxn.serialize.
	ResponsePacketGetChildrenCacheMissing *Counter
	// EnsembleAuthSuccess is 3.8's ensemble_auth_success (ServerMetrics.ENSEMBLE_AUTH_SUCCESS), a counter;
	// 3.8 updates it in EnsembleAuthenticationProvider.getScheme.
	EnsembleAuthSuccess *Counter
	// EnsembleAuthFail is 3.8's ensemble_auth_fail (ServerMetrics.ENSEMBLE_AUTH_FAIL), a counter;
	// 3.8 updates it in EnsembleAuthenticationProvider.getScheme.
	EnsembleAuthFail *Counter
	// EnsembleAuthSkip is 3.8's ensemble_auth_skip (ServerMetrics.ENSEMBLE_AUTH_SKIP), a counter;
	// 3.8 updates it in EnsembleAuthenticationProvider.getScheme.
	EnsembleAuthSkip *Counter
	// PrepProcessorQueueTime is 3.8's prep_processor_queue_time_ms (ServerMetrics.PREP_PROCESSOR_QUEUE_TIME), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in PrepRequestProcessor.run.
	PrepProcessorQueueTime *Summary
	// PrepProcessorQueueSize is 3.8's prep_processor_queue_size (ServerMetrics.PREP_PROCESSOR_QUEUE_SIZE), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in PrepRequestProcessor.run.
	PrepProcessorQueueSize *Summary
	// PrepProcessorQueued is 3.8's prep_processor_request_queued (ServerMetrics.PREP_PROCESSOR_QUEUED), a counter;
	// 3.8 updates it in PrepRequestProcessor.processRequest.
	PrepProcessorQueued *Counter
	// OutstandingChangesQueued is 3.8's outstanding_changes_queued (ServerMetrics.OUTSTANDING_CHANGES_QUEUED), a counter;
	// 3.8 updates it in PrepRequestProcessor.addChangeRecord.
	OutstandingChangesQueued *Counter
	// OutstandingChangesRemoved is 3.8's outstanding_changes_removed (ServerMetrics.OUTSTANDING_CHANGES_REMOVED), a counter;
	// 3.8 updates it in ZooKeeperServer.processTxn.
	OutstandingChangesRemoved *Counter
	// PrepProcessTime is 3.8's prep_process_time (ServerMetrics.PREP_PROCESS_TIME), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in PrepRequestProcessor.pRequest.
	PrepProcessTime *Summary
	// ProposalProcessTime is 3.8's proposal_process_time (ServerMetrics.PROPOSAL_PROCESS_TIME), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in PrepRequestProcessor.pRequest.
	ProposalProcessTime *Summary
	// CloseSessionPrepTime is 3.8's close_session_prep_time (ServerMetrics.CLOSE_SESSION_PREP_TIME), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in PrepRequestProcessor.pRequest2Txn.
	CloseSessionPrepTime *Summary
	// RevalidateCount is 3.8's revalidate_count (ServerMetrics.REVALIDATE_COUNT), a counter;
	// 3.8 updates it in LearnerHandler.run.
	RevalidateCount *Counter
	// ConnectionDropCount is 3.8's connection_drop_count (ServerMetrics.CONNECTION_DROP_COUNT), a counter;
	// 3.8 updates it in NIOServerCnxn.handleFailedRead, NettyServerCnxn.operationComplete.
	ConnectionDropCount *Counter
	// ConnectionRevalidateCount is 3.8's connection_revalidate_count (ServerMetrics.CONNECTION_REVALIDATE_COUNT), a counter;
	// 3.8 updates it in ZooKeeperServer.processConnectRequest.
	ConnectionRevalidateCount *Counter
	// SessionlessConnectionsExpired is 3.8's sessionless_connections_expired (ServerMetrics.SESSIONLESS_CONNECTIONS_EXPIRED), a counter;
	// 3.8 updates it in NIOServerCnxnFactory.run.
	SessionlessConnectionsExpired *Counter
	// StaleSessionsExpired is 3.8's stale_sessions_expired (ServerMetrics.STALE_SESSIONS_EXPIRED), a counter;
	// 3.8 updates it in SessionTrackerImpl.run.
	StaleSessionsExpired *Counter
	// UnavailableTime is 3.8's unavailable_time (ServerMetrics.UNAVAILABLE_TIME), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in QuorumPeer.setZabState.
	UnavailableTime *Summary
	// LeaderUnavailableTime is 3.8's leader_unavailable_time (ServerMetrics.LEADER_UNAVAILABLE_TIME), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in QuorumPeer.setZabState.
	LeaderUnavailableTime *Summary
	// RequestsInSessionQueue is 3.8's requests_in_session_queue (ServerMetrics.REQUESTS_IN_SESSION_QUEUE), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in CommitProcessor.run.
	RequestsInSessionQueue *Summary
	// PendingSessionQueueSize is 3.8's pending_session_queue_size (ServerMetrics.PENDING_SESSION_QUEUE_SIZE), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in CommitProcessor.run.
	PendingSessionQueueSize *Summary
	// ReadsAfterWriteInSessionQueue is 3.8's reads_after_write_in_session_queue (ServerMetrics.READS_AFTER_WRITE_IN_SESSION_QUEUE), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in CommitProcessor.run.
	ReadsAfterWriteInSessionQueue *Summary
	// ReadIssuedFromSessionQueue is 3.8's reads_issued_from_session_queue (ServerMetrics.READ_ISSUED_FROM_SESSION_QUEUE), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in CommitProcessor.run.
	ReadIssuedFromSessionQueue *Summary
	// SessionQueuesDrained is 3.8's session_queues_drained (ServerMetrics.SESSION_QUEUES_DRAINED), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in CommitProcessor.run.
	SessionQueuesDrained *Summary
	// TimeWaitingEmptyPoolInCommitProcessorRead is 3.8's time_waiting_empty_pool_in_commit_processor_read_ms (ServerMetrics.TIME_WAITING_EMPTY_POOL_IN_COMMIT_PROCESSOR_READ), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in CommitProcessor.waitForEmptyPool.
	TimeWaitingEmptyPoolInCommitProcessorRead *Summary
	// WriteBatchTimeInCommitProcessor is 3.8's write_batch_time_in_commit_processor (ServerMetrics.WRITE_BATCH_TIME_IN_COMMIT_PROCESSOR), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in CommitProcessor.run.
	WriteBatchTimeInCommitProcessor *Summary
	// ConcurrentRequestProcessingInCommitProcessor is 3.8's concurrent_request_processing_in_commit_processor (ServerMetrics.CONCURRENT_REQUEST_PROCESSING_IN_COMMIT_PROCESSOR), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in CommitProcessor.waitForEmptyPool.
	ConcurrentRequestProcessingInCommitProcessor *Summary
	// ReadsQueuedInCommitProcessor is 3.8's read_commit_proc_req_queued (ServerMetrics.READS_QUEUED_IN_COMMIT_PROCESSOR), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in CommitProcessor.run.
	ReadsQueuedInCommitProcessor *Summary
	// WritesQueuedInCommitProcessor is 3.8's write_commit_proc_req_queued (ServerMetrics.WRITES_QUEUED_IN_COMMIT_PROCESSOR), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in CommitProcessor.run.
	WritesQueuedInCommitProcessor *Summary
	// CommitsQueuedInCommitProcessor is 3.8's commit_commit_proc_req_queued (ServerMetrics.COMMITS_QUEUED_IN_COMMIT_PROCESSOR), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in CommitProcessor.run.
	CommitsQueuedInCommitProcessor *Summary
	// CommitsQueued is 3.8's request_commit_queued (ServerMetrics.COMMITS_QUEUED), a counter;
	// 3.8 updates it in CommitProcessor.commit.
	CommitsQueued *Counter
	// ReadsIssuedInCommitProc is 3.8's read_commit_proc_issued (ServerMetrics.READS_ISSUED_IN_COMMIT_PROC), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in CommitProcessor.run.
	ReadsIssuedInCommitProc *Summary
	// WritesIssuedInCommitProc is 3.8's write_commit_proc_issued (ServerMetrics.WRITES_ISSUED_IN_COMMIT_PROC), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in CommitProcessor.run.
	WritesIssuedInCommitProc *Summary
	// ThrottledOps is 3.8's throttled_ops (ServerMetrics.THROTTLED_OPS), a counter;
	// 3.8 updates it in RequestThrottler.run.
	ThrottledOps *Counter
	// ReadCommitprocTime is 3.8's read_commitproc_time_ms (ServerMetrics.READ_COMMITPROC_TIME), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in CommitProcessor.processCommitMetrics.
	ReadCommitprocTime *Summary
	// WriteCommitprocTime is 3.8's write_commitproc_time_ms (ServerMetrics.WRITE_COMMITPROC_TIME), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in CommitProcessor.processCommitMetrics.
	WriteCommitprocTime *Summary
	// LocalWriteCommittedTime is 3.8's local_write_committed_time_ms (ServerMetrics.LOCAL_WRITE_COMMITTED_TIME), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in CommitProcessor.processCommitMetrics.
	LocalWriteCommittedTime *Summary
	// ServerWriteCommittedTime is 3.8's server_write_committed_time_ms (ServerMetrics.SERVER_WRITE_COMMITTED_TIME), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in CommitProcessor.processCommitMetrics.
	ServerWriteCommittedTime *Summary
	// CommitProcessTime is 3.8's commit_process_time (ServerMetrics.COMMIT_PROCESS_TIME), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in CommitProcessor.run.
	CommitProcessTime *Summary
	// OMProposalProcessTime is 3.8's om_proposal_process_time_ms (ServerMetrics.OM_PROPOSAL_PROCESS_TIME), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in Follower.processPacket.
	OMProposalProcessTime *Summary
	// OMCommitProcessTime is 3.8's om_commit_process_time_ms (ServerMetrics.OM_COMMIT_PROCESS_TIME), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in Follower.processPacket.
	OMCommitProcessTime *Summary
	// ReadFinalProcTime is 3.8's read_final_proc_time_ms (ServerMetrics.READ_FINAL_PROC_TIME), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in CommitProcessor.doWork.
	ReadFinalProcTime *Summary
	// WriteFinalProcTime is 3.8's write_final_proc_time_ms (ServerMetrics.WRITE_FINAL_PROC_TIME), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in CommitProcessor.doWork, CommitProcessor.processWrite.
	WriteFinalProcTime *Summary
	// ProposalLatency is 3.8's proposal_latency (ServerMetrics.PROPOSAL_LATENCY), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in Follower.processPacket.
	ProposalLatency *Summary
	// ProposalAckCreationLatency is 3.8's proposal_ack_creation_latency (ServerMetrics.PROPOSAL_ACK_CREATION_LATENCY), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in AckRequestProcessor.processRequest, SendAckRequestProcessor.processRequest.
	ProposalAckCreationLatency *Summary
	// CommitPropagationLatency is 3.8's commit_propagation_latency (ServerMetrics.COMMIT_PROPAGATION_LATENCY), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in FollowerZooKeeperServer.commit, Observer.processPacket.
	CommitPropagationLatency *Summary
	// LearnerProposalReceivedCount is 3.8's learner_proposal_received_count (ServerMetrics.LEARNER_PROPOSAL_RECEIVED_COUNT), a counter;
	// 3.8 updates it in Follower.processPacket.
	LearnerProposalReceivedCount *Counter
	// LearnerCommitReceivedCount is 3.8's learner_commit_received_count (ServerMetrics.LEARNER_COMMIT_RECEIVED_COUNT), a counter;
	// 3.8 updates it in Follower.processPacket, Observer.processPacket.
	LearnerCommitReceivedCount *Counter
	// LearnerHandlerQPSize is 3.8's learner_handler_qp_size (ServerMetrics.LEARNER_HANDLER_QP_SIZE), a basic summary set keyed by "key";
	// 3.8 updates it in LearnerHandler.sendPackets.
	LearnerHandlerQPSize *SummarySet
	// LearnerHandlerQPTime is 3.8's learner_handler_qp_time_ms (ServerMetrics.LEARNER_HANDLER_QP_TIME), an advanced summary set keyed by "key";
	// 3.8 updates it in LearnerHandler.sendPackets.
	LearnerHandlerQPTime *SummarySet
	// StartupTxnsLoaded is 3.8's startup_txns_loaded (ServerMetrics.STARTUP_TXNS_LOADED), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in FileTxnSnapLog.fastForwardFromEdits.
	StartupTxnsLoaded *Summary
	// StartupTxnsLoadTime is 3.8's startup_txns_load_time (ServerMetrics.STARTUP_TXNS_LOAD_TIME), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in FileTxnSnapLog.fastForwardFromEdits.
	StartupTxnsLoadTime *Summary
	// StartupSnapLoadTime is 3.8's startup_snap_load_time (ServerMetrics.STARTUP_SNAP_LOAD_TIME), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in FileTxnSnapLog.restore.
	StartupSnapLoadTime *Summary
	// SyncProcessorQueueAndFlushTime is 3.8's sync_processor_queue_and_flush_time_ms (ServerMetrics.SYNC_PROCESSOR_QUEUE_AND_FLUSH_TIME), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in SyncRequestProcessor.flush.
	SyncProcessorQueueAndFlushTime *Summary
	// SyncProcessorQueueSize is 3.8's sync_processor_queue_size (ServerMetrics.SYNC_PROCESSOR_QUEUE_SIZE), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in SyncRequestProcessor.run.
	SyncProcessorQueueSize *Summary
	// SyncProcessorQueued is 3.8's sync_processor_request_queued (ServerMetrics.SYNC_PROCESSOR_QUEUED), a counter;
	// 3.8 updates it in SyncRequestProcessor.processRequest.
	SyncProcessorQueued *Counter
	// SyncProcessorQueueTime is 3.8's sync_processor_queue_time_ms (ServerMetrics.SYNC_PROCESSOR_QUEUE_TIME), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in SyncRequestProcessor.run.
	SyncProcessorQueueTime *Summary
	// SyncProcessorFlushTime is 3.8's sync_processor_queue_flush_time_ms (ServerMetrics.SYNC_PROCESSOR_FLUSH_TIME), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in SyncRequestProcessor.flush.
	SyncProcessorFlushTime *Summary
	// SyncProcessTime is 3.8's sync_process_time (ServerMetrics.SYNC_PROCESS_TIME), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in SyncRequestProcessor.run.
	SyncProcessTime *Summary
	// BatchSize is 3.8's sync_processor_batch_size (ServerMetrics.BATCH_SIZE), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in SyncRequestProcessor.flush.
	BatchSize *Summary
	// QuorumAckLatency is 3.8's quorum_ack_latency (ServerMetrics.QUORUM_ACK_LATENCY), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in Leader.tryToCommit.
	QuorumAckLatency *Summary
	// AckLatency is 3.8's ack_latency (ServerMetrics.ACK_LATENCY), an advanced summary set keyed by "key";
	// 3.8 updates it in Leader.processAck.
	AckLatency *SummarySet
	// ProposalCount is 3.8's proposal_count (ServerMetrics.PROPOSAL_COUNT), a counter;
	// 3.8 updates it in Leader.propose.
	ProposalCount *Counter
	// QuitLeadingDueToDisloyalVoter is 3.8's quit_leading_due_to_disloyal_voter (ServerMetrics.QUIT_LEADING_DUE_TO_DISLOYAL_VOTER), a counter;
	// 3.8 updates it in Leader.quitLeading.
	QuitLeadingDueToDisloyalVoter *Counter
	// StaleRequests is 3.8's stale_requests (ServerMetrics.STALE_REQUESTS), a counter;
	// 3.8 updates it in RequestThrottler.run.
	StaleRequests *Counter
	// StaleRequestsDropped is 3.8's stale_requests_dropped (ServerMetrics.STALE_REQUESTS_DROPPED), a counter;
	// 3.8 updates it in RequestThrottler.run.
	StaleRequestsDropped *Counter
	// StaleReplies is 3.8's stale_replies (ServerMetrics.STALE_REPLIES), a counter;
	// 3.8 updates it in FinalRequestProcessor.processRequest.
	StaleReplies *Counter
	// RequestThrottleQueueTime is 3.8's request_throttle_queue_time_ms (ServerMetrics.REQUEST_THROTTLE_QUEUE_TIME), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in RequestThrottler.run.
	RequestThrottleQueueTime *Summary
	// RequestThrottleWaitCount is 3.8's request_throttle_wait_count (ServerMetrics.REQUEST_THROTTLE_WAIT_COUNT), a counter;
	// 3.8 updates it in RequestThrottler.throttleSleep.
	RequestThrottleWaitCount *Counter
	// LargeRequestsRejected is 3.8's large_requests_rejected (ServerMetrics.LARGE_REQUESTS_REJECTED), a counter;
	// 3.8 updates it in ZooKeeperServer.checkRequestSizeWhenMessageReceived, ZooKeeperServer.checkRequestSizeWhenReceivingMessage.
	LargeRequestsRejected *Counter
	// NettyQueuedBuffer is 3.8's netty_queued_buffer_capacity (ServerMetrics.NETTY_QUEUED_BUFFER), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in NettyServerCnxn.appendToQueuedBuffer.
	NettyQueuedBuffer *Summary
	// DigestMismatchesCount is 3.8's digest_mismatches_count (ServerMetrics.DIGEST_MISMATCHES_COUNT), a counter;
	// 3.8 updates it in DataTree.reportDigestMismatch.
	DigestMismatchesCount *Counter
	// LearnerRequestProcessorQueueSize is 3.8's learner_request_processor_queue_size (ServerMetrics.LEARNER_REQUEST_PROCESSOR_QUEUE_SIZE), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in FollowerRequestProcessor.run, ObserverRequestProcessor.run.
	LearnerRequestProcessorQueueSize *Summary
	// UnsuccessfulHandshake is 3.8's unsuccessful_handshake (ServerMetrics.UNSUCCESSFUL_HANDSHAKE), a counter;
	// 3.8 updates it in NettyServerCnxnFactory.operationComplete.
	UnsuccessfulHandshake *Counter
	// InsecureAdmin is 3.8's insecure_admin_count (ServerMetrics.INSECURE_ADMIN), a counter;
	// 3.8 updates it in UnifiedConnectionFactory.newConnection.
	InsecureAdmin *Counter
	// TLSHandshakeExceeded is 3.8's tls_handshake_exceeded (ServerMetrics.TLS_HANDSHAKE_EXCEEDED), a counter;
	// 3.8 updates it in NettyServerCnxnFactory.channelActive.
	TLSHandshakeExceeded *Counter
	// CnxnClosedWithoutZkServerRunning is 3.8's cnxn_closed_without_zk_server_running (ServerMetrics.CNXN_CLOSED_WITHOUT_ZK_SERVER_RUNNING), a counter;
	// 3.8 updates it in NettyServerCnxnFactory.channelActive.
	CnxnClosedWithoutZkServerRunning *Counter
	// SkipLearnerRequestToNextProcessorCount is 3.8's skip_learner_request_to_next_processor_count (ServerMetrics.SKIP_LEARNER_REQUEST_TO_NEXT_PROCESSOR_COUNT), a counter;
	// 3.8 updates it in FollowerRequestProcessor.maybeSendRequestToNextProcessor.
	SkipLearnerRequestToNextProcessorCount *Counter
	// SocketClosingTime is 3.8's socket_closing_time (ServerMetrics.SOCKET_CLOSING_TIME), a basic summary (mntr avg/min/max/cnt/sum; Prometheus quantile 0.5);
	// 3.8 updates it in Learner.closeSockSync, LearnerHandler.closeSockSync.
	SocketClosingTime *Summary
	// RequestsNotForwardedToCommitProcessor is 3.8's requests_not_forwarded_to_commit_processor (ServerMetrics.REQUESTS_NOT_FORWARDED_TO_COMMIT_PROCESSOR), a counter;
	// 3.8 updates it in ProposalRequestProcessor.shouldForwardToNextProcessor.
	RequestsNotForwardedToCommitProcessor *Counter
	// ResponseBytes is 3.8's response_bytes (ServerMetrics.RESPONSE_BYTES), a counter;
	// 3.8 updates it in FinalRequestProcessor.processRequest.
	ResponseBytes *Counter
	// WatchBytes is 3.8's watch_bytes (ServerMetrics.WATCH_BYTES), a counter;
	// 3.8 updates it in NIOServerCnxn.process, NettyServerCnxn.process.
	WatchBytes *Counter
	// JVMPauseTime is 3.8's jvm_pause_time_ms (ServerMetrics.JVM_PAUSE_TIME), an advanced summary (mntr avg/min/max/cnt/sum and p50/p95/p99/p999; Prometheus quantiles 0.5, 0.9, 0.99);
	// 3.8 updates it in JvmPauseMonitor.run.
	JVMPauseTime *Summary
	// QuotaExceededErrorPerNamespace is 3.8's quota_exceeded_error_per_namespace (ServerMetrics.QUOTA_EXCEEDED_ERROR_PER_NAMESPACE), a counter set keyed by "key";
	// 3.8 updates it in ZooKeeperServer.updateQuotaExceededMetrics.
	QuotaExceededErrorPerNamespace *CounterSet
}

// defs is the 3.8.0 ServerMetrics table: mntr name, kind, Java constant,
// and the 3.8 class.method that updates it.
var defs = []def{
	{"fsynctime", KindSummary, "FSYNC_TIME", "FileTxnLog.commit", func(s *Server) any { return &s.FsyncTime }},
	{"snapshottime", KindSummary, "SNAPSHOT_TIME", "ZooKeeperServer.takeSnapshot", func(s *Server) any { return &s.SnapshotTime }},
	{"dbinittime", KindSummary, "DB_INIT_TIME", "ZKDatabase.loadDataBase", func(s *Server) any { return &s.DBInitTime }},
	{"readlatency", KindAdvancedSummary, "READ_LATENCY", "ServerStats.updateLatency", func(s *Server) any { return &s.ReadLatency }},
	{"updatelatency", KindAdvancedSummary, "UPDATE_LATENCY", "ServerStats.updateLatency", func(s *Server) any { return &s.UpdateLatency }},
	{"propagation_latency", KindAdvancedSummary, "PROPAGATION_LATENCY", "FinalRequestProcessor.applyRequest", func(s *Server) any { return &s.PropagationLatency }},
	{"follower_sync_time", KindSummary, "FOLLOWER_SYNC_TIME", "Follower.followLeader", func(s *Server) any { return &s.FollowerSyncTime }},
	{"observer_sync_time", KindSummary, "OBSERVER_SYNC_TIME", "Observer.observeLeader", func(s *Server) any { return &s.ObserverSyncTime }},
	{"election_time", KindSummary, "ELECTION_TIME", "Follower.followLeader, Leader.lead", func(s *Server) any { return &s.ElectionTime }},
	{"looking_count", KindCounter, "LOOKING_COUNT", "QuorumPeer.run", func(s *Server) any { return &s.LookingCount }},
	{"diff_count", KindCounter, "DIFF_COUNT", "LearnerHandler.run", func(s *Server) any { return &s.DiffCount }},
	{"snap_count", KindCounter, "SNAP_COUNT", "LearnerHandler.run", func(s *Server) any { return &s.SnapCount }},
	{"commit_count", KindCounter, "COMMIT_COUNT", "Leader.commit", func(s *Server) any { return &s.CommitCount }},
	{"connection_request_count", KindCounter, "CONNECTION_REQUEST_COUNT", "ZooKeeperServer.processConnectRequest", func(s *Server) any { return &s.ConnectionRequestCount }},
	{"connection_token_deficit", KindSummary, "CONNECTION_TOKEN_DEFICIT", "ZooKeeperServer.processConnectRequest", func(s *Server) any { return &s.ConnectionTokenDeficit }},
	{"connection_rejected", KindCounter, "CONNECTION_REJECTED", "NIOServerCnxn.doIO, NIOServerCnxnFactory.AcceptThread.doAccept, NettyServerCnxn.receiveMessage, NettyServerCnxnFactory.channelActive", func(s *Server) any { return &s.ConnectionRejected }},
	{"inflight_snap_count", KindSummary, "INFLIGHT_SNAP_COUNT", "LearnerHandler.run", func(s *Server) any { return &s.InflightSnapCount }},
	{"inflight_diff_count", KindSummary, "INFLIGHT_DIFF_COUNT", "LearnerHandler.run", func(s *Server) any { return &s.InflightDiffCount }},
	{"write_per_namespace", KindSummarySet, "WRITE_PER_NAMESPACE", "DataTree.updateWriteStat", func(s *Server) any { return &s.WritePerNamespace }},
	{"read_per_namespace", KindSummarySet, "READ_PER_NAMESPACE", "DataTree.updateReadStat", func(s *Server) any { return &s.ReadPerNamespace }},
	{"bytes_received_count", KindCounter, "BYTES_RECEIVED_COUNT", "ServerCnxn.packetReceived", func(s *Server) any { return &s.BytesReceivedCount }},
	{"unrecoverable_error_count", KindCounter, "UNRECOVERABLE_ERROR_COUNT", "ZooKeeperCriticalThread.handleException", func(s *Server) any { return &s.UnrecoverableErrorCount }},
	{"node_created_watch_count", KindSummary, "NODE_CREATED_WATCHER", "WatchManager.triggerWatch, WatchManagerOptimized.updateMetrics", func(s *Server) any { return &s.NodeCreatedWatcher }},
	{"node_deleted_watch_count", KindSummary, "NODE_DELETED_WATCHER", "WatchManager.triggerWatch, WatchManagerOptimized.updateMetrics", func(s *Server) any { return &s.NodeDeletedWatcher }},
	{"node_changed_watch_count", KindSummary, "NODE_CHANGED_WATCHER", "WatchManager.triggerWatch, WatchManagerOptimized.updateMetrics", func(s *Server) any { return &s.NodeChangedWatcher }},
	{"node_children_watch_count", KindSummary, "NODE_CHILDREN_WATCHER", "WatchManager.triggerWatch, WatchManagerOptimized.updateMetrics", func(s *Server) any { return &s.NodeChildrenWatcher }},
	{"add_dead_watcher_stall_time", KindCounter, "ADD_DEAD_WATCHER_STALL_TIME", "WatcherCleaner.addDeadWatcher", func(s *Server) any { return &s.AddDeadWatcherStallTime }},
	{"dead_watchers_queued", KindCounter, "DEAD_WATCHERS_QUEUED", "WatcherCleaner.addDeadWatcher", func(s *Server) any { return &s.DeadWatchersQueued }},
	{"dead_watchers_cleared", KindCounter, "DEAD_WATCHERS_CLEARED", "WatcherCleaner.doWork", func(s *Server) any { return &s.DeadWatchersCleared }},
	{"dead_watchers_cleaner_latency", KindAdvancedSummary, "DEAD_WATCHERS_CLEANER_LATENCY", "WatcherCleaner.doWork", func(s *Server) any { return &s.DeadWatchersCleanerLatency }},
	{"response_packet_cache_hits", KindCounter, "RESPONSE_PACKET_CACHE_HITS", "ServerCnxn.serialize", func(s *Server) any { return &s.ResponsePacketCacheHits }},
	{"response_packet_cache_misses", KindCounter, "RESPONSE_PACKET_CACHE_MISSING", "ServerCnxn.serialize", func(s *Server) any { return &s.ResponsePacketCacheMissing }},
	{"response_packet_get_children_cache_hits", KindCounter, "RESPONSE_PACKET_GET_CHILDREN_CACHE_HITS", "ServerCnxn.serialize", func(s *Server) any { return &s.ResponsePacketGetChildrenCacheHits }},
	{"response_packet_get_children_cache_misses", KindCounter, "RESPONSE_PACKET_GET_CHILDREN_CACHE_MISSING", "ServerCnxn.serialize", func(s *Server) any { return &s.ResponsePacketGetChildrenCacheMissing }},
	{"ensemble_auth_success", KindCounter, "ENSEMBLE_AUTH_SUCCESS", "EnsembleAuthenticationProvider.getScheme", func(s *Server) any { return &s.EnsembleAuthSuccess }},
	{"ensemble_auth_fail", KindCounter, "ENSEMBLE_AUTH_FAIL", "EnsembleAuthenticationProvider.getScheme", func(s *Server) any { return &s.EnsembleAuthFail }},
	{"ensemble_auth_skip", KindCounter, "ENSEMBLE_AUTH_SKIP", "EnsembleAuthenticationProvider.getScheme", func(s *Server) any { return &s.EnsembleAuthSkip }},
	{"prep_processor_queue_time_ms", KindAdvancedSummary, "PREP_PROCESSOR_QUEUE_TIME", "PrepRequestProcessor.run", func(s *Server) any { return &s.PrepProcessorQueueTime }},
	{"prep_processor_queue_size", KindSummary, "PREP_PROCESSOR_QUEUE_SIZE", "PrepRequestProcessor.run", func(s *Server) any { return &s.PrepProcessorQueueSize }},
	{"prep_processor_request_queued", KindCounter, "PREP_PROCESSOR_QUEUED", "PrepRequestProcessor.processRequest", func(s *Server) any { return &s.PrepProcessorQueued }},
	{"outstanding_changes_queued", KindCounter, "OUTSTANDING_CHANGES_QUEUED", "PrepRequestProcessor.addChangeRecord", func(s *Server) any { return &s.OutstandingChangesQueued }},
	{"outstanding_changes_removed", KindCounter, "OUTSTANDING_CHANGES_REMOVED", "ZooKeeperServer.processTxn", func(s *Server) any { return &s.OutstandingChangesRemoved }},
	{"prep_process_time", KindSummary, "PREP_PROCESS_TIME", "PrepRequestProcessor.pRequest", func(s *Server) any { return &s.PrepProcessTime }},
	{"proposal_process_time", KindSummary, "PROPOSAL_PROCESS_TIME", "PrepRequestProcessor.pRequest", func(s *Server) any { return &s.ProposalProcessTime }},
	{"close_session_prep_time", KindAdvancedSummary, "CLOSE_SESSION_PREP_TIME", "PrepRequestProcessor.pRequest2Txn", func(s *Server) any { return &s.CloseSessionPrepTime }},
	{"revalidate_count", KindCounter, "REVALIDATE_COUNT", "LearnerHandler.run", func(s *Server) any { return &s.RevalidateCount }},
	{"connection_drop_count", KindCounter, "CONNECTION_DROP_COUNT", "NIOServerCnxn.handleFailedRead, NettyServerCnxn.operationComplete", func(s *Server) any { return &s.ConnectionDropCount }},
	{"connection_revalidate_count", KindCounter, "CONNECTION_REVALIDATE_COUNT", "ZooKeeperServer.processConnectRequest", func(s *Server) any { return &s.ConnectionRevalidateCount }},
	{"sessionless_connections_expired", KindCounter, "SESSIONLESS_CONNECTIONS_EXPIRED", "NIOServerCnxnFactory.run", func(s *Server) any { return &s.SessionlessConnectionsExpired }},
	{"stale_sessions_expired", KindCounter, "STALE_SESSIONS_EXPIRED", "SessionTrackerImpl.run", func(s *Server) any { return &s.StaleSessionsExpired }},
	{"unavailable_time", KindSummary, "UNAVAILABLE_TIME", "QuorumPeer.setZabState", func(s *Server) any { return &s.UnavailableTime }},
	{"leader_unavailable_time", KindSummary, "LEADER_UNAVAILABLE_TIME", "QuorumPeer.setZabState", func(s *Server) any { return &s.LeaderUnavailableTime }},
	{"requests_in_session_queue", KindSummary, "REQUESTS_IN_SESSION_QUEUE", "CommitProcessor.run", func(s *Server) any { return &s.RequestsInSessionQueue }},
	{"pending_session_queue_size", KindSummary, "PENDING_SESSION_QUEUE_SIZE", "CommitProcessor.run", func(s *Server) any { return &s.PendingSessionQueueSize }},
	{"reads_after_write_in_session_queue", KindSummary, "READS_AFTER_WRITE_IN_SESSION_QUEUE", "CommitProcessor.run", func(s *Server) any { return &s.ReadsAfterWriteInSessionQueue }},
	{"reads_issued_from_session_queue", KindSummary, "READ_ISSUED_FROM_SESSION_QUEUE", "CommitProcessor.run", func(s *Server) any { return &s.ReadIssuedFromSessionQueue }},
	{"session_queues_drained", KindSummary, "SESSION_QUEUES_DRAINED", "CommitProcessor.run", func(s *Server) any { return &s.SessionQueuesDrained }},
	{"time_waiting_empty_pool_in_commit_processor_read_ms", KindSummary, "TIME_WAITING_EMPTY_POOL_IN_COMMIT_PROCESSOR_READ", "CommitProcessor.waitForEmptyPool", func(s *Server) any { return &s.TimeWaitingEmptyPoolInCommitProcessorRead }},
	{"write_batch_time_in_commit_processor", KindSummary, "WRITE_BATCH_TIME_IN_COMMIT_PROCESSOR", "CommitProcessor.run", func(s *Server) any { return &s.WriteBatchTimeInCommitProcessor }},
	{"concurrent_request_processing_in_commit_processor", KindSummary, "CONCURRENT_REQUEST_PROCESSING_IN_COMMIT_PROCESSOR", "CommitProcessor.waitForEmptyPool", func(s *Server) any { return &s.ConcurrentRequestProcessingInCommitProcessor }},
	{"read_commit_proc_req_queued", KindSummary, "READS_QUEUED_IN_COMMIT_PROCESSOR", "CommitProcessor.run", func(s *Server) any { return &s.ReadsQueuedInCommitProcessor }},
	{"write_commit_proc_req_queued", KindSummary, "WRITES_QUEUED_IN_COMMIT_PROCESSOR", "CommitProcessor.run", func(s *Server) any { return &s.WritesQueuedInCommitProcessor }},
	{"commit_commit_proc_req_queued", KindSummary, "COMMITS_QUEUED_IN_COMMIT_PROCESSOR", "CommitProcessor.run", func(s *Server) any { return &s.CommitsQueuedInCommitProcessor }},
	{"request_commit_queued", KindCounter, "COMMITS_QUEUED", "CommitProcessor.commit", func(s *Server) any { return &s.CommitsQueued }},
	{"read_commit_proc_issued", KindSummary, "READS_ISSUED_IN_COMMIT_PROC", "CommitProcessor.run", func(s *Server) any { return &s.ReadsIssuedInCommitProc }},
	{"write_commit_proc_issued", KindSummary, "WRITES_ISSUED_IN_COMMIT_PROC", "CommitProcessor.run", func(s *Server) any { return &s.WritesIssuedInCommitProc }},
	{"throttled_ops", KindCounter, "THROTTLED_OPS", "RequestThrottler.run", func(s *Server) any { return &s.ThrottledOps }},
	{"read_commitproc_time_ms", KindAdvancedSummary, "READ_COMMITPROC_TIME", "CommitProcessor.processCommitMetrics", func(s *Server) any { return &s.ReadCommitprocTime }},
	{"write_commitproc_time_ms", KindAdvancedSummary, "WRITE_COMMITPROC_TIME", "CommitProcessor.processCommitMetrics", func(s *Server) any { return &s.WriteCommitprocTime }},
	{"local_write_committed_time_ms", KindAdvancedSummary, "LOCAL_WRITE_COMMITTED_TIME", "CommitProcessor.processCommitMetrics", func(s *Server) any { return &s.LocalWriteCommittedTime }},
	{"server_write_committed_time_ms", KindAdvancedSummary, "SERVER_WRITE_COMMITTED_TIME", "CommitProcessor.processCommitMetrics", func(s *Server) any { return &s.ServerWriteCommittedTime }},
	{"commit_process_time", KindSummary, "COMMIT_PROCESS_TIME", "CommitProcessor.run", func(s *Server) any { return &s.CommitProcessTime }},
	{"om_proposal_process_time_ms", KindAdvancedSummary, "OM_PROPOSAL_PROCESS_TIME", "Follower.processPacket", func(s *Server) any { return &s.OMProposalProcessTime }},
	{"om_commit_process_time_ms", KindAdvancedSummary, "OM_COMMIT_PROCESS_TIME", "Follower.processPacket", func(s *Server) any { return &s.OMCommitProcessTime }},
	{"read_final_proc_time_ms", KindAdvancedSummary, "READ_FINAL_PROC_TIME", "CommitProcessor.doWork", func(s *Server) any { return &s.ReadFinalProcTime }},
	{"write_final_proc_time_ms", KindAdvancedSummary, "WRITE_FINAL_PROC_TIME", "CommitProcessor.doWork, CommitProcessor.processWrite", func(s *Server) any { return &s.WriteFinalProcTime }},
	{"proposal_latency", KindAdvancedSummary, "PROPOSAL_LATENCY", "Follower.processPacket", func(s *Server) any { return &s.ProposalLatency }},
	{"proposal_ack_creation_latency", KindAdvancedSummary, "PROPOSAL_ACK_CREATION_LATENCY", "AckRequestProcessor.processRequest, SendAckRequestProcessor.processRequest", func(s *Server) any { return &s.ProposalAckCreationLatency }},
	{"commit_propagation_latency", KindAdvancedSummary, "COMMIT_PROPAGATION_LATENCY", "FollowerZooKeeperServer.commit, Observer.processPacket", func(s *Server) any { return &s.CommitPropagationLatency }},
	{"learner_proposal_received_count", KindCounter, "LEARNER_PROPOSAL_RECEIVED_COUNT", "Follower.processPacket", func(s *Server) any { return &s.LearnerProposalReceivedCount }},
	{"learner_commit_received_count", KindCounter, "LEARNER_COMMIT_RECEIVED_COUNT", "Follower.processPacket, Observer.processPacket", func(s *Server) any { return &s.LearnerCommitReceivedCount }},
	{"learner_handler_qp_size", KindSummarySet, "LEARNER_HANDLER_QP_SIZE", "LearnerHandler.sendPackets", func(s *Server) any { return &s.LearnerHandlerQPSize }},
	{"learner_handler_qp_time_ms", KindAdvancedSummarySet, "LEARNER_HANDLER_QP_TIME", "LearnerHandler.sendPackets", func(s *Server) any { return &s.LearnerHandlerQPTime }},
	{"startup_txns_loaded", KindSummary, "STARTUP_TXNS_LOADED", "FileTxnSnapLog.fastForwardFromEdits", func(s *Server) any { return &s.StartupTxnsLoaded }},
	{"startup_txns_load_time", KindSummary, "STARTUP_TXNS_LOAD_TIME", "FileTxnSnapLog.fastForwardFromEdits", func(s *Server) any { return &s.StartupTxnsLoadTime }},
	{"startup_snap_load_time", KindSummary, "STARTUP_SNAP_LOAD_TIME", "FileTxnSnapLog.restore", func(s *Server) any { return &s.StartupSnapLoadTime }},
	{"sync_processor_queue_and_flush_time_ms", KindAdvancedSummary, "SYNC_PROCESSOR_QUEUE_AND_FLUSH_TIME", "SyncRequestProcessor.flush", func(s *Server) any { return &s.SyncProcessorQueueAndFlushTime }},
	{"sync_processor_queue_size", KindSummary, "SYNC_PROCESSOR_QUEUE_SIZE", "SyncRequestProcessor.run", func(s *Server) any { return &s.SyncProcessorQueueSize }},
	{"sync_processor_request_queued", KindCounter, "SYNC_PROCESSOR_QUEUED", "SyncRequestProcessor.processRequest", func(s *Server) any { return &s.SyncProcessorQueued }},
	{"sync_processor_queue_time_ms", KindAdvancedSummary, "SYNC_PROCESSOR_QUEUE_TIME", "SyncRequestProcessor.run", func(s *Server) any { return &s.SyncProcessorQueueTime }},
	{"sync_processor_queue_flush_time_ms", KindAdvancedSummary, "SYNC_PROCESSOR_FLUSH_TIME", "SyncRequestProcessor.flush", func(s *Server) any { return &s.SyncProcessorFlushTime }},
	{"sync_process_time", KindSummary, "SYNC_PROCESS_TIME", "SyncRequestProcessor.run", func(s *Server) any { return &s.SyncProcessTime }},
	{"sync_processor_batch_size", KindSummary, "BATCH_SIZE", "SyncRequestProcessor.flush", func(s *Server) any { return &s.BatchSize }},
	{"quorum_ack_latency", KindAdvancedSummary, "QUORUM_ACK_LATENCY", "Leader.tryToCommit", func(s *Server) any { return &s.QuorumAckLatency }},
	{"ack_latency", KindAdvancedSummarySet, "ACK_LATENCY", "Leader.processAck", func(s *Server) any { return &s.AckLatency }},
	{"proposal_count", KindCounter, "PROPOSAL_COUNT", "Leader.propose", func(s *Server) any { return &s.ProposalCount }},
	{"quit_leading_due_to_disloyal_voter", KindCounter, "QUIT_LEADING_DUE_TO_DISLOYAL_VOTER", "Leader.quitLeading", func(s *Server) any { return &s.QuitLeadingDueToDisloyalVoter }},
	{"stale_requests", KindCounter, "STALE_REQUESTS", "RequestThrottler.run", func(s *Server) any { return &s.StaleRequests }},
	{"stale_requests_dropped", KindCounter, "STALE_REQUESTS_DROPPED", "RequestThrottler.run", func(s *Server) any { return &s.StaleRequestsDropped }},
	{"stale_replies", KindCounter, "STALE_REPLIES", "FinalRequestProcessor.processRequest", func(s *Server) any { return &s.StaleReplies }},
	{"request_throttle_queue_time_ms", KindAdvancedSummary, "REQUEST_THROTTLE_QUEUE_TIME", "RequestThrottler.run", func(s *Server) any { return &s.RequestThrottleQueueTime }},
	{"request_throttle_wait_count", KindCounter, "REQUEST_THROTTLE_WAIT_COUNT", "RequestThrottler.throttleSleep", func(s *Server) any { return &s.RequestThrottleWaitCount }},
	{"large_requests_rejected", KindCounter, "LARGE_REQUESTS_REJECTED", "ZooKeeperServer.checkRequestSizeWhenMessageReceived, ZooKeeperServer.checkRequestSizeWhenReceivingMessage", func(s *Server) any { return &s.LargeRequestsRejected }},
	{"netty_queued_buffer_capacity", KindSummary, "NETTY_QUEUED_BUFFER", "NettyServerCnxn.appendToQueuedBuffer", func(s *Server) any { return &s.NettyQueuedBuffer }},
	{"digest_mismatches_count", KindCounter, "DIGEST_MISMATCHES_COUNT", "DataTree.reportDigestMismatch", func(s *Server) any { return &s.DigestMismatchesCount }},
	{"learner_request_processor_queue_size", KindSummary, "LEARNER_REQUEST_PROCESSOR_QUEUE_SIZE", "FollowerRequestProcessor.run, ObserverRequestProcessor.run", func(s *Server) any { return &s.LearnerRequestProcessorQueueSize }},
	{"unsuccessful_handshake", KindCounter, "UNSUCCESSFUL_HANDSHAKE", "NettyServerCnxnFactory.operationComplete", func(s *Server) any { return &s.UnsuccessfulHandshake }},
	{"insecure_admin_count", KindCounter, "INSECURE_ADMIN", "UnifiedConnectionFactory.newConnection", func(s *Server) any { return &s.InsecureAdmin }},
	{"tls_handshake_exceeded", KindCounter, "TLS_HANDSHAKE_EXCEEDED", "NettyServerCnxnFactory.channelActive", func(s *Server) any { return &s.TLSHandshakeExceeded }},
	{"cnxn_closed_without_zk_server_running", KindCounter, "CNXN_CLOSED_WITHOUT_ZK_SERVER_RUNNING", "NettyServerCnxnFactory.channelActive", func(s *Server) any { return &s.CnxnClosedWithoutZkServerRunning }},
	{"skip_learner_request_to_next_processor_count", KindCounter, "SKIP_LEARNER_REQUEST_TO_NEXT_PROCESSOR_COUNT", "FollowerRequestProcessor.maybeSendRequestToNextProcessor", func(s *Server) any { return &s.SkipLearnerRequestToNextProcessorCount }},
	{"socket_closing_time", KindSummary, "SOCKET_CLOSING_TIME", "Learner.closeSockSync, LearnerHandler.closeSockSync", func(s *Server) any { return &s.SocketClosingTime }},
	{"requests_not_forwarded_to_commit_processor", KindCounter, "REQUESTS_NOT_FORWARDED_TO_COMMIT_PROCESSOR", "ProposalRequestProcessor.shouldForwardToNextProcessor", func(s *Server) any { return &s.RequestsNotForwardedToCommitProcessor }},
	{"response_bytes", KindCounter, "RESPONSE_BYTES", "FinalRequestProcessor.processRequest", func(s *Server) any { return &s.ResponseBytes }},
	{"watch_bytes", KindCounter, "WATCH_BYTES", "NIOServerCnxn.process, NettyServerCnxn.process", func(s *Server) any { return &s.WatchBytes }},
	{"jvm_pause_time_ms", KindAdvancedSummary, "JVM_PAUSE_TIME", "JvmPauseMonitor.run", func(s *Server) any { return &s.JVMPauseTime }},
	{"quota_exceeded_error_per_namespace", KindCounterSet, "QUOTA_EXCEEDED_ERROR_PER_NAMESPACE", "ZooKeeperServer.updateQuotaExceededMetrics", func(s *Server) any { return &s.QuotaExceededErrorPerNamespace }},
}
