// The bulk pipeline's bookkeeping, without I/O: which calls wait for what, which batch goes out
// next, and what each caller is told when a batch comes back. `batcher` drives it with the clock
// and the HTTP results; unit tests drive it alone.
#pragma once

#include <permit/bulk/detail/coalescer.hpp>
#include <permit/bulk/detail/recycling_resource.hpp>
#include <permit/bulk/detail/ticket_table.hpp>
#include <permit/bulk/options.hpp>
#include <permit/bulk/stats.hpp>
#include <permit/diagnostics.hpp>
#include <permit/models/detail/json_writer.hpp>
#include <permit/models/relationship_tuple.hpp>
#include <permit/models/resource_instance.hpp>
#include <permit/models/role_assignment.hpp>
#include <permit/models/tenant.hpp>
#include <permit/models/user.hpp>

#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <memory_resource>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

namespace permit::bulk::detail {

/// The kinds of bulk request, in the order the pipeline prefers to send them: tenants unblock
/// instances and assignments, instances unblock assignments and tuples, and assignments and
/// tuples finish callers (which makes room for more).
enum class lane : std::uint8_t { tenants, instances, assignments, tuples, tuple_removals, users };

/// A bulk request to send: `POST /bulk/tenants`, `PUT /bulk/resource_instances`,
/// `POST /role_assignments/bulk`, `POST /relationship_tuples/bulk`,
/// `DELETE /relationship_tuples/bulk` or `PUT /bulk/users`, with its JSON body; or, when `single`,
/// one user or role assignment sent alone (`PUT /users/{key}`, `POST /role_assignments`).
struct outgoing_batch {
    std::uint64_t id = 0;
    detail::lane lane = lane::users;
    std::size_t size = 0;
    std::string body;
    bool single = false;
    std::string key;  // single, users: the user's key
};

/// The batch that `pipeline_state::take` would send next (see `pipeline_state::peek`).
struct due_batch {
    detail::lane lane = lane::users;
    std::size_t size = 0;   // items, before those of finished callers are left out
    bool reformed = false;  // items of a rejected batch, sent again
};

/// Something the pipeline must know exists before it goes on: a role, before the assignments that
/// name it are sent (`GET /roles/{key}`, or `GET /resources/{resource}/roles/{key}` for a role of
/// a resource type); a tenant of a batch that was answered 409, to tell the tenants that exist
/// from those still to create (`GET /tenants/{key}`); or a tuple of a batch answered 409 (writes)
/// or 404 (removals), to tell the tuples that are already as asked from the others
/// (`GET /relationship_tuples?subject=&relation=&object=`).
struct lookup {
    enum class kind : std::uint8_t { role, tenant, tuple };
    lookup::kind what = kind::role;
    std::string key;
    std::string resource;             // a role of this resource type; empty: a tenant role
    relationship_tuple_delete tuple;  // kind::tuple
    std::uint64_t probe = 0;          // tenants and tuples: the rejected batch they came from
};

/// What one caller is told.
struct completion {
    std::uint64_t ticket = 0;
    boost::system::error_code ec;
    /// What went wrong; null for a success, which says nothing. (A `diagnostics` is about half a
    /// kilobyte: a batch's three thousand successes would otherwise stream a megabyte and a half
    /// through the cache to say nothing.)
    std::unique_ptr<diagnostics> diag;
};

/// The pipeline between the callers and the bulk requests.
///
/// A call (a *ticket*) is admitted while fewer than `max_pending` calls are unfinished. Its items
/// wait in one queue per lane (see `coalescer`). An item is parked until what it names is
/// confirmed; only then is it queued:
/// - a role assignment: its user and its resource instance (when they are in the pipeline), its
///   tenant (unless known to exist) and its role (looked up once, see `take_lookup`);
/// - a resource instance: its tenant (unless known to exist);
/// - a relationship tuple (written or removed): its subject and object instances (when they are in
///   the pipeline), its tenant when it names one, and the earlier calls on the same tuple, so that
///   a write and a removal of one tuple reach the API in the order they were made.
///
/// A rejected batch is narrowed down: the items a 422 names fail alone and the rest go again; a
/// 400/422 naming no item, or a 404 for assignments, splits the batch in halves until the bad
/// item is alone; a 409 for tenants or tuple writes, or a 404 for tuple removals, has each item
/// looked up, and those already as asked are success while the others go again. Any other
/// failure fails every item of the batch. Each ticket completes once: with the first failure of
/// any of its items, or with success when all of them are confirmed.
///
/// Not thread-safe.
template <class Clock = std::chrono::steady_clock>
class pipeline_state {
  public:
    using ticket_id = std::uint64_t;
    using time_point = typename Clock::time_point;

    pipeline_state(const bulk_options& options, std::string default_tenant)
        : options_(options)
        , default_tenant_(std::move(default_tenant))
        , tenants_(options.tenants_per_batch, options.linger, unbounded)
        , users_(options.users_per_batch, options.linger, unbounded)
        , assignments_(options.assignments_per_batch, options.linger, unbounded)
        , instances_(options.instances_per_batch, options.linger, unbounded)
        , tuples_(options.tuples_per_batch, options.linger, unbounded)
        , removals_(options.tuples_per_batch, options.linger, unbounded) {}

    // ---- admission ----

    /// A number for a call that just arrived, whether or not it is admitted yet: calls are
    /// admitted in this order, and `drained_before` compares with it.
    ticket_id arrive() noexcept { return next_ticket_++; }

    /// How many more calls may be admitted now.
    std::size_t room() const noexcept {
        const std::size_t cap = std::max<std::size_t>(1, options_.max_pending);
        return tickets_.size() >= cap ? 0 : cap - tickets_.size();
    }

    /// Admits `sync_user(u)`: the user goes out in a user batch; each of its role assignments
    /// after the user and the assignment's tenant (created when not known) are confirmed.
    void sync_user(ticket_id id, user_create&& u, time_point now) {
        ticket& t = admit(id, now);
        t.deps += 1;
        t.refs += 1;
        if (users_indexed_) ++pending_users_[u.key].items;
        if (u.role_assignments.empty()) {
            // Nothing to park: the call waits for its user alone (`settle` would find no more).
            users_.emplace(now, id, std::move(u));
            return;
        }
        auto roles = std::move(u.role_assignments);
        u.role_assignments.clear();
        const std::string key = u.key;
        users_.emplace(now, id, std::move(u));
        std::vector<std::string> waited;  // tenants and roles this call already waits for
        auto first_time = [&waited](const std::string& what) {
            if (std::find(waited.begin(), waited.end(), what) != waited.end()) return false;
            waited.push_back(what);
            return true;
        };
        for (auto& r : roles) {
            if (r.tenant && !is_known(*r.tenant) && first_time("tenant:" + *r.tenant))
                depend_on_tenant(id, t, {.key = *r.tenant, .name = *r.tenant}, now);
            const auto role = role_ident(r.role, r.resource_instance);
            if (!known_roles_.contains(role) && first_time("role:" + role))
                depend_on_role(id, t, r.role, r.resource_instance);
            if (r.resource_instance && first_time("instance:" + *r.resource_instance))
                depend_on_instance(id, t, *r.resource_instance);
            t.parked.push_back(
                role_assignment_create{.user = key,
                                       .role = std::move(r.role),
                                       .tenant = std::move(r.tenant),
                                       .resource_instance = std::move(r.resource_instance)});
        }
        settle(id, now);
    }

    /// Admits `assign_role(a)`: queued once its tenant exists and, when its user is in the
    /// pipeline, once that user is confirmed.
    void assign_role(ticket_id id, role_assignment_create&& a, time_point now) {
        ticket& t = admit(id, now);
        if (a.tenant && !is_known(*a.tenant))
            depend_on_tenant(id, t, {.key = *a.tenant, .name = *a.tenant}, now);
        if (!known_roles_.contains(role_ident(a.role, a.resource_instance)))
            depend_on_role(id, t, a.role, a.resource_instance);
        index_users();
        depend_on_pending(id, t, pending_users_, a.user);
        if (a.resource_instance) depend_on_instance(id, t, *a.resource_instance);
        t.parked.push_back(std::move(a));
        settle(id, now);
    }

    /// Admits `ensure_instance(i)`: queued once its tenant exists. The calls made after it that
    /// name the instance (tuples, role assignments on it) wait for it.
    void ensure_instance(ticket_id id, resource_instance_create&& i, time_point now) {
        ticket& t = admit(id, now);
        if (!is_known(i.tenant)) depend_on_tenant(id, t, {.key = i.tenant, .name = i.tenant}, now);
        ++pending_instances_[instance_ident(i)].items;
        t.parked.push_back(std::move(i));
        settle(id, now);
    }

    /// Admits `write_tuple(w)`: queued once the instances it names (when they are in the
    /// pipeline), its tenant (when given and not known to exist) and the earlier calls on the
    /// same tuple are over.
    void write_tuple(ticket_id id, relationship_tuple_create&& w, time_point now) {
        ticket& t = admit(id, now);
        if (w.tenant && !is_known(*w.tenant))
            depend_on_tenant(id, t, {.key = *w.tenant, .name = *w.tenant}, now);
        depend_on_instance(id, t, w.subject);
        if (w.object != w.subject) depend_on_instance(id, t, w.object);
        join_tuple_chain(id, t, tuple_ident(w));
        t.parked.push_back(std::move(w));
        settle(id, now);
    }

    /// Admits `remove_tuple(r)`: queued once the earlier calls on the same tuple are over.
    void remove_tuple(ticket_id id, relationship_tuple_delete&& r, time_point now) {
        ticket& t = admit(id, now);
        join_tuple_chain(id, t, tuple_ident(r));
        t.parked.push_back(std::move(r));
        settle(id, now);
    }

    /// Admits `ensure_tenant(tc)`: done at once when the tenant is known to exist.
    void ensure_tenant(ticket_id id, tenant_create&& tc, time_point now) {
        ticket& t = admit(id, now);
        if (!is_known(tc.key)) depend_on_tenant(id, t, std::move(tc), now, true);
        settle(id, now);
    }

    /// The caller of `id` stopped waiting (cancelled). Its items that are not sent yet are
    /// dropped when their batch is formed; its completion is not reported.
    void abandon(ticket_id id) {
        ticket* t = tickets_.find(id);
        if (!t || t->done) return;
        t->done = true;
        discard_parked(id, *t);  // may move the ticket (see `tickets_`)
        stats_.calls_failed += 1;
        release_if_unreferenced(id);
    }

    // ---- sending ----

    /// Whether any item waits to be sent.
    bool has_queued() const noexcept {
        return !tenants_.empty() || !users_.empty() || !assignments_.empty() ||
               !instances_.empty() || !tuples_.empty() || !removals_.empty() || any_reformed();
    }

    /// When the next batch is due (`time_point::min()` for now), if any item waits.
    std::optional<time_point> next_due() const {
        if (any_reformed()) return time_point::min();
        std::optional<time_point> out;
        const bool hold_partial = holds_partial_batches();
        auto consider = [&](const auto& queue) {
            if (queue.empty()) return;
            if (!queue.has_full_batch() && flushing_ == 0 && hold_partial) return;
            const time_point at =
                queue.has_full_batch() || flushing_ > 0 ? time_point::min() : *queue.deadline();
            if (!out || at < *out) out = at;
        };
        consider(tenants_);
        consider(instances_);
        consider(assignments_);
        consider(tuples_);
        consider(removals_);
        consider(users_);
        return out;
    }

    /// Whether a batch is due at `now`.
    bool due(time_point now) const {
        const auto at = next_due();
        return at && *at <= now;
    }

    /// The next batch due at `now`, in the order of `lane`; nothing if none is due. Items of
    /// callers that are already finished are left out.
    std::optional<outgoing_batch> take(time_point now) {
        last_now_ = now;
        for (;;) {
            if (auto b = take_from(reformed_tenants_, tenants_, lane::tenants, now)) return b;
            if (auto b = take_from(reformed_instances_, instances_, lane::instances, now)) return b;
            if (auto b = take_from(reformed_assignments_, assignments_, lane::assignments, now))
                return b;
            if (auto b = take_from(reformed_tuples_, tuples_, lane::tuples, now)) return b;
            if (auto b = take_from(reformed_removals_, removals_, lane::tuple_removals, now))
                return b;
            if (auto b = take_from(reformed_users_, users_, lane::users, now)) return b;
            if (!due(now)) return std::nullopt;
            // Every item of the due batch belonged to a finished caller: look again.
        }
    }

    /// The batch `take(now)` would return, if one is due: its lane and size.
    std::optional<due_batch> peek(time_point now) const {
        std::optional<due_batch> out;
        auto look = [&](const auto& reformed, const auto& queue, detail::lane which) {
            if (out) return;
            if (!reformed.empty()) {
                out = due_batch{which, reformed.front().size(), true};
                return;
            }
            if (flushing_ == 0 && !queue.has_full_batch() && holds_partial_batches()) return;
            const bool partial_due =
                flushing_ > 0 || (queue.deadline() && *queue.deadline() <= now);
            if (const auto n = queue.due_size(now, partial_due)) out = due_batch{which, n, false};
        };
        look(reformed_tenants_, tenants_, lane::tenants);
        look(reformed_instances_, instances_, lane::instances);
        look(reformed_assignments_, assignments_, lane::assignments);
        look(reformed_tuples_, tuples_, lane::tuples);
        look(reformed_removals_, removals_, lane::tuple_removals);
        look(reformed_users_, users_, lane::users);
        return out;
    }

    /// As `take`, for one item of the batch `peek` names when it is a batch of users or role
    /// assignments that is not `reformed`: the item goes alone, `single`.
    std::optional<outgoing_batch> take_single(time_point now) {
        last_now_ = now;
        for (;;) {
            const auto next = peek(now);
            if (!next || next->reformed) return std::nullopt;
            if (next->lane == lane::users) {
                if (auto b = take_from(reformed_users_, users_, lane::users, now, true)) return b;
            } else if (next->lane == lane::assignments) {
                if (auto b = take_from(reformed_assignments_, assignments_, lane::assignments, now,
                                       true))
                    return b;
            } else {
                return std::nullopt;
            }
            // The item belonged to a finished caller: look again.
        }
    }

    /// Bulk requests taken and not yet reported back (those orphaned by `fail_all` included).
    std::size_t in_flight() const noexcept { return in_flight_.size() + orphaned_.size(); }

    /// The next object to look up, if any. A role is looked up once while the pipeline remembers
    /// it: a missing role would otherwise fail a whole assignment batch with a 404 that names no
    /// item.
    std::optional<lookup> take_lookup() {
        if (lookups_.empty()) return std::nullopt;
        auto next = std::move(lookups_.front());
        lookups_.pop_front();
        return next;
    }

    /// The lookup came back: found (`!ec`), missing (a 404), or failed (the error that outlasted
    /// the retries). The calls waiting for it go on or fail.
    void on_looked_up(const lookup& l, boost::system::error_code ec, const diagnostics& diag,
                      time_point now) {
        last_now_ = now;
        if (l.what == lookup::kind::role)
            return role_looked_up(role_ident_of_type(l.key, l.resource), ec, diag, now);
        if (l.what == lookup::kind::tuple) return tuple_looked_up(l, ec, diag, now);
        auto probe = probes_.find(l.probe);
        if (probe == probes_.end()) return;  // forgotten by `fail_all`
        auto& p = probe->second;
        p.outstanding -= 1;
        if (!ec) {
            stats_.tenants_existing += 1;
            tenant_resolved(l.key, true, {}, {}, now);
        } else if (diag.status == 404) {
            auto it = std::find_if(p.tenants.begin(), p.tenants.end(),
                                   [&](const tenant_create& t) { return t.key == l.key; });
            if (it != p.tenants.end()) p.missing.push_back(std::move(*it));
        } else {
            tenant_resolved(l.key, false, ec, diag, now);
        }
        if (p.outstanding > 0) return;
        if (!p.missing.empty()) reformed_tenants_.push_back(std::move(p.missing));
        probes_.erase(probe);
    }

    /// Batch `id` was accepted (2xx).
    void on_success(std::uint64_t id, time_point now) {
        last_now_ = now;
        if (orphaned_.erase(id) > 0) return;  // nobody waits for it any more
        auto node = in_flight_.extract(id);
        if (node.empty()) return;
        std::visit(
            [&](auto& items) {
                confirm_all(items, now);
                recycle(std::move(items));
            },
            node.mapped());
    }

    /// Batch `id` failed with `ec` (after the client's retries); `diag` describes the last attempt.
    void on_failure(std::uint64_t id, boost::system::error_code ec, const diagnostics& diag,
                    time_point now) {
        last_now_ = now;
        if (orphaned_.erase(id) > 0) return;
        auto node = in_flight_.extract(id);
        if (node.empty()) return;
        std::visit([&](auto& items) { narrow_down(std::move(items), ec, diag, now); },
                   node.mapped());
    }

    /// Takes back the body of a batch that went out, for its memory to hold a later batch's body.
    /// Large ones only, and as many as may be in flight at once: a bulk body is hundreds of
    /// kilobytes, and allocating and freeing one per batch made the allocator sweep every small
    /// block freed meanwhile.
    void recycle_body(std::string&& body) {
        constexpr std::size_t worth_keeping = 64 * 1024;
        if (body.capacity() < worth_keeping ||
            spare_bodies_.size() >= std::max<std::size_t>(1, options_.max_batches_in_flight))
            return;
        spare_bodies_.push_back(std::move(body));
    }

    /// What the callers are to be told, since the last call.
    std::vector<completion> take_completions() { return std::exchange(completions_, {}); }

    /// As `take_completions`, keeping the storage: the callers to be told since the last call,
    /// for the caller to read and then `clear()` before the state is used again.
    std::vector<completion>& completions() noexcept { return completions_; }

    /// Finishes every unfinished call with `ec` and `why` and forgets every queued item. Batches in
    /// flight are reported back as usual, but no caller waits for them any more.
    void fail_all(boost::system::error_code ec, const std::string& why) {
        tuple_chains_.clear();  // nothing waits for anything any more
        // In the order the calls were admitted; from a copy, since failing a call may let go of
        // others that waited for it, which takes them out of `admitted_`.
        const std::vector<ticket_id> admitted(admitted_.begin(), admitted_.end());
        for (const auto id : admitted) {
            ticket* t = tickets_.find(id);
            if (!t || t->done) continue;
            diagnostics diag;
            diag.client_message = why;
            finish(id, *t, ec, std::move(diag));
        }
        tickets_.clear();
        admitted_.clear();
        pending_users_.clear();
        pending_tenants_.clear();
        pending_roles_.clear();
        pending_instances_.clear();
        lookups_.clear();
        probes_.clear();
        tuple_probes_.clear();
        // Their results must not decide for later calls with the same keys.
        for (const auto& [id, items] : in_flight_) orphaned_.insert(id);
        in_flight_.clear();
        tenants_ =
            coalescer<tenant_create, Clock>(options_.tenants_per_batch, options_.linger, unbounded);
        users_ = coalescer<user_item, Clock>(options_.users_per_batch, options_.linger, unbounded);
        assignments_ = coalescer<assignment_item, Clock>(options_.assignments_per_batch,
                                                         options_.linger, unbounded);
        instances_ = coalescer<instance_item, Clock>(options_.instances_per_batch, options_.linger,
                                                     unbounded);
        tuples_ =
            coalescer<tuple_item, Clock>(options_.tuples_per_batch, options_.linger, unbounded);
        removals_ =
            coalescer<removal_item, Clock>(options_.tuples_per_batch, options_.linger, unbounded);
        reformed_tenants_.clear();
        reformed_users_.clear();
        reformed_assignments_.clear();
        reformed_instances_.clear();
        reformed_tuples_.clear();
        reformed_removals_.clear();
    }

    /// Whether callers wait for room. Under such a backlog a partial batch is not due while a
    /// batch is in flight: the room its answer makes brings more items, and the batch goes out
    /// fuller. With nothing in flight, it goes when its linger is over, as always.
    void set_backlog(bool waiting) noexcept { backlog_ = waiting; }

    /// While flushing, partial batches are due at once.
    void begin_flush() noexcept { ++flushing_; }
    void end_flush() noexcept { --flushing_; }

    /// Whether every call admitted with a number below `mark` is finished, and its items out of the
    /// pipeline.
    bool drained_before(ticket_id mark) const noexcept {
        return tickets_.empty() || admitted_.front() >= mark;
    }

    /// Whether the tenant is known to exist (the default tenant always is).
    bool is_known(const std::string& tenant) const {
        return tenant == default_tenant_ || known_tenants_.contains(tenant);
    }

    /// The counters (`pending` included).
    bulk_stats stats() const noexcept {
        bulk_stats out = stats_;
        out.pending = pending();
        return out;
    }
    /// The counters but `pending` (left 0), as they are kept.
    const bulk_stats& counters() const noexcept { return stats_; }
    /// The calls admitted and not finished.
    std::size_t pending() const noexcept { return tickets_.size(); }

  private:
    static constexpr std::size_t unbounded = std::numeric_limits<std::size_t>::max();

    // An item of a call that waits for the call's dependencies before it is queued.
    using parked_item = std::variant<role_assignment_create, resource_instance_create,
                                     relationship_tuple_create, relationship_tuple_delete>;

    struct ticket {
        time_point arrived{};             // when the call was admitted
        unsigned deps = 0;                // what it waits for, not yet confirmed
        std::size_t items_left = 0;       // queued items not yet confirmed
        std::vector<parked_item> parked;  // waiting for `deps`
        std::size_t refs = 0;             // queued or in-flight items, registrations as a dependent
        bool done = false;                // its completion is reported (or it was abandoned)
        // Why it failed (unset: abandoned), for the calls that wait for its user.
        boost::system::error_code failed_with;
        std::shared_ptr<const diagnostics> failure;
    };
    struct user_item {
        ticket_id ticket;
        user_create user;
    };
    struct assignment_item {
        ticket_id ticket;
        role_assignment_create assignment;
    };
    struct instance_item {
        ticket_id ticket;
        resource_instance_create instance;
    };
    struct tuple_item {
        ticket_id ticket;
        relationship_tuple_create tuple;
    };
    struct removal_item {
        ticket_id ticket;
        relationship_tuple_delete tuple;
    };
    // Calls waiting for a user or an instance that is in the pipeline.
    struct pending_key {
        std::size_t items = 0;  // items with this key, parked, queued or in flight
        std::vector<ticket_id> dependents;
    };
    // Tickets are numbered in the order the calls arrive, and the calls admitted together are
    // confirmed together: in one flat table their records lie side by side (see `ticket_table`).
    // An insert or a removal may move other tickets: a `ticket&` is not held across anything
    // that may admit or release a ticket (`settle`, `dependency_met`, `discard_parked` and what
    // they call), which looks its ticket up again by number.
    using ticket_map = ticket_table<ticket>;
    using pending_map = std::pmr::unordered_map<std::string, pending_key>;
    // The calls on one tuple, oldest first: only the first may be queued; each of the others
    // waits (one dependency) until the one before it is over.
    using tuple_chain = std::deque<ticket_id>;
    struct pending_tenant {
        std::vector<ticket_id> dependents;
        // What `ensure_tenant` asked for, when the tenant was queued before by a `sync_user`
        // (which knows its key only): sent instead, unless the batch has left.
        std::optional<tenant_create> definition;
    };
    using flight = std::variant<std::vector<tenant_create>, std::vector<assignment_item>,
                                std::vector<user_item>, std::vector<instance_item>,
                                std::vector<tuple_item>, std::vector<removal_item>>;

    ticket& admit(ticket_id id, time_point now) {
        last_now_ = now;
        auto [made, fresh] = tickets_.try_emplace(id);
        ticket& t = *made;
        t.arrived = now;
        if (fresh) {
            if (admitted_.empty() || admitted_.back() < id)
                admitted_.push_back(id);
            else
                admitted_.insert(std::lower_bound(admitted_.begin(), admitted_.end(), id), id);
        }
        stats_.pending_high_water =
            std::max<std::uint64_t>(stats_.pending_high_water, tickets_.size());
        return t;
    }

    void role_looked_up(const std::string& role, boost::system::error_code ec,
                        const diagnostics& diag, time_point now) {
        if (!ec) known_roles_.insert(role);
        auto node = pending_roles_.extract(role);
        if (node.empty()) return;
        if (!ec) {
            for (auto id : node.mapped()) dependency_met(id, now);
            return;
        }
        diagnostics why = diag;
        prepend(why, "role '" + role + "'" +
                         (diag.status == 404 ? " does not exist" : " could not be looked up"));
        // (`type#key` names a role of resource type `type`.)
        for (auto id : node.mapped()) dependency_failed(id, ec, why);
    }

    // The type of `"type:key"` (empty for an instance named by its id).
    static std::string type_of(const std::string& instance) {
        const auto colon = instance.find(':');
        return colon == std::string::npos ? std::string() : instance.substr(0, colon);
    }
    // How the pipeline names a role: its key for a tenant role, `type#key` for a role of a
    // resource type (the role of an assignment on an instance of that type).
    static std::string role_ident_of_type(const std::string& role, const std::string& type) {
        return type.empty() ? role : type + "#" + role;
    }
    static std::string role_ident(const std::string& role,
                                  const std::optional<std::string>& instance) {
        return role_ident_of_type(role, instance ? type_of(*instance) : std::string());
    }
    static std::string instance_ident(const resource_instance_create& i) {
        return i.resource + ":" + i.key;
    }
    template <class Tuple>
    static std::string tuple_ident(const Tuple& t) {
        return t.subject + "\n" + t.relation + "\n" + t.object;
    }

    void depend_on_role(ticket_id id, ticket& t, const std::string& role,
                        const std::optional<std::string>& instance) {
        const auto type = instance ? type_of(*instance) : std::string();
        auto [it, fresh] = pending_roles_.try_emplace(role_ident_of_type(role, type));
        if (fresh) lookups_.push_back({.what = lookup::kind::role, .key = role, .resource = type});
        it->second.push_back(id);
        t.deps += 1;
        t.refs += 1;
    }

    // Ticket `id` waits for the items with `key` in `pending` (users or instances), if any.
    void depend_on_pending(ticket_id id, ticket& t, pending_map& pending, const std::string& key) {
        auto it = pending.find(key);
        if (it == pending.end()) return;
        it->second.dependents.push_back(id);
        t.deps += 1;
        t.refs += 1;
    }
    void depend_on_instance(ticket_id id, ticket& t, const std::string& instance) {
        depend_on_pending(id, t, pending_instances_, instance);
    }

    // Ticket `id` goes last in the chain of calls on tuple `key`, and waits unless it is first.
    void join_tuple_chain(ticket_id id, ticket& t, const std::string& key) {
        auto& chain = tuple_chains_[key];
        chain.push_back(id);
        if (chain.size() == 1) return;
        t.deps += 1;
        t.refs += 1;
    }

    // The call `id` on tuple `key` is over (confirmed, failed, or dropped): the next one may go.
    void tuple_call_over(const std::string& key, ticket_id id, time_point now) {
        auto it = tuple_chains_.find(key);
        if (it == tuple_chains_.end()) return;
        auto& chain = it->second;
        const bool was_first = !chain.empty() && chain.front() == id;
        std::erase(chain, id);
        if (chain.empty()) {
            tuple_chains_.erase(it);
            return;
        }
        if (was_first) dependency_met(chain.front(), now);
    }

    // The items of a finished call that were never queued: what waits for them learns that they
    // are not coming.
    // What this sets off may finish and release other calls, which moves tickets: `t` is not
    // to be used after it.
    void discard_parked(ticket_id id, ticket& t) {
        if (t.parked.empty()) return;
        auto parked = std::exchange(t.parked, {});
        std::optional<std::pair<boost::system::error_code, diagnostics>> why;
        if (std::any_of(parked.begin(), parked.end(), [](const parked_item& item) {
                return std::holds_alternative<resource_instance_create>(item);
            }))
            why = why_finished(t, "its call was cancelled");
        for (auto& item : parked) {
            if (const auto* w = std::get_if<relationship_tuple_create>(&item))
                tuple_call_over(tuple_ident(*w), id, last_now_);
            else if (const auto* r = std::get_if<relationship_tuple_delete>(&item))
                tuple_call_over(tuple_ident(*r), id, last_now_);
            else if (const auto* i = std::get_if<resource_instance_create>(&item))
                key_resolved(pending_instances_, "instance", instance_ident(*i), false, why->first,
                             why->second, last_now_);
        }
    }

    // `defined`: `tc` is the caller's own definition (name, description, attributes), not one made
    // up from the key.
    void depend_on_tenant(ticket_id id, ticket& t, tenant_create tc, time_point now,
                          bool defined = false) {
        auto [it, fresh] = pending_tenants_.try_emplace(tc.key);
        if (fresh)
            tenants_.push(std::move(tc), now);
        else if (defined && !it->second.definition)
            it->second.definition = std::move(tc);
        it->second.dependents.push_back(id);
        t.deps += 1;
        t.refs += 1;
    }

    // Starts keeping `pending_users_`, from the users queued, sent again or in flight now.
    void index_users() {
        if (users_indexed_) return;
        users_indexed_ = true;
        pending_users_.reserve(std::min<std::size_t>(options_.max_pending, 1u << 16));
        auto count = [this](const user_item& item) { ++pending_users_[item.user.key].items; };
        users_.for_each(count);
        for (const auto& batch : reformed_users_)
            for (const auto& item : batch) count(item);
        for (const auto& [id, items] : in_flight_)
            if (const auto* users = std::get_if<std::vector<user_item>>(&items))
                for (const auto& item : *users) count(item);
    }

    void remember_tenant(const std::string& key) {
        if (is_known(key) || options_.known_tenants == 0) return;
        known_tenants_.insert(key);
        known_order_.push_back(key);
        while (known_order_.size() > options_.known_tenants) {
            known_tenants_.erase(known_order_.front());
            known_order_.pop_front();
        }
    }

    // Queues the parked assignments of a ticket whose dependencies are confirmed, and reports the
    // ticket done when nothing of it is left.
    void settle(ticket_id id, time_point now) {
        ticket* found = tickets_.find(id);
        if (!found) return;
        ticket& t = *found;
        if (t.done) return release_if_unreferenced(id, t);
        if (t.deps > 0) return;
        for (auto& item : t.parked) {
            // An item that waited for its dependencies does not linger again.
            auto queue = [&](auto& lane, auto&& queued) {
                if (now > t.arrived)
                    lane.push_waited(std::move(queued), t.arrived);
                else
                    lane.push(std::move(queued), now);
            };
            std::visit(
                [&](auto& value) {
                    using T = std::decay_t<decltype(value)>;
                    if constexpr (std::is_same_v<T, role_assignment_create>)
                        queue(assignments_, assignment_item{id, std::move(value)});
                    else if constexpr (std::is_same_v<T, resource_instance_create>)
                        queue(instances_, instance_item{id, std::move(value)});
                    else if constexpr (std::is_same_v<T, relationship_tuple_create>)
                        queue(tuples_, tuple_item{id, std::move(value)});
                    else
                        queue(removals_, removal_item{id, std::move(value)});
                },
                item);
            t.items_left += 1;
            t.refs += 1;
        }
        t.parked.clear();
        if (t.items_left == 0) {
            finish_ok(id, t);  // nothing parked is left to discard: `t` stays where it is
            release_if_unreferenced(id, t);
        }
    }

    void finish(ticket_id id, ticket& t, boost::system::error_code ec, diagnostics&& diag) {
        if (!ec) return finish_ok(id, t);
        t.done = true;
        stats_.calls_failed += 1;
        t.failed_with = ec;
        if (t.refs > 0 || !t.parked.empty()) t.failure = std::make_shared<const diagnostics>(diag);
        completions_.push_back({id, ec, std::make_unique<diagnostics>(std::move(diag))});
        discard_parked(id, t);
    }
    // A success says nothing: no record of it is made.
    void finish_ok(ticket_id id, ticket& t) {
        t.done = true;
        completions_.push_back({.ticket = id});
        discard_parked(id, t);
    }

    void fail(ticket_id id, boost::system::error_code ec, const diagnostics& diag) {
        ticket* t = tickets_.find(id);
        if (!t || t->done) return;
        diagnostics why = diag;
        finish(id, *t, ec, std::move(why));
    }

    // Drops one reference from ticket `id`; the ticket goes once it is done and unreferenced.
    void unref(ticket_id id) {
        ticket* t = tickets_.find(id);
        if (!t) return;
        if (t->refs > 0) t->refs -= 1;
        release_if_unreferenced(id, *t);
    }

    void release_if_unreferenced(ticket_id id) {
        if (const ticket* t = tickets_.find(id)) release_if_unreferenced(id, *t);
    }
    // `t`: the ticket of `id`.
    void release_if_unreferenced(ticket_id id, const ticket& t) {
        if (!t.done || t.refs > 0) return;
        tickets_.erase(id);
        // The oldest unfinished call stays first; the ids of calls released behind it are
        // dropped when they reach the front, or all at once when they outnumber the live ones.
        while (!admitted_.empty() && !tickets_.contains(admitted_.front())) admitted_.pop_front();
        if (admitted_.size() > 2 * tickets_.size() + 1024)
            std::erase_if(admitted_, [this](ticket_id id) { return !tickets_.contains(id); });
    }

    // A dependency of ticket `id` is confirmed.
    void dependency_met(ticket_id id, time_point now) {
        ticket* t = tickets_.find(id);
        if (!t) return;
        if (t->refs > 0) t->refs -= 1;
        if (!t->done && t->deps > 0) t->deps -= 1;
        settle(id, now);
    }

    void dependency_failed(ticket_id id, boost::system::error_code ec, const diagnostics& diag) {
        fail(id, ec, diag);
        unref(id);
    }

    // One item with `key` in `pending` (a user or an instance, named `what`) is over: confirmed
    // (`ok`) or not.
    void key_resolved(pending_map& pending, std::string_view what, const std::string& key, bool ok,
                      boost::system::error_code ec, const diagnostics& diag, time_point now) {
        auto it = pending.find(key);
        if (it == pending.end()) return;
        auto dependents = std::exchange(it->second.dependents, {});
        const bool last = --it->second.items == 0;
        if (last) pending.erase(it);
        if (ok) {
            for (auto id : dependents) dependency_met(id, now);
        } else if (last) {
            diagnostics why = diag;
            prepend(why, std::string(what) + " '" + key + "' was not " +
                             (what == "user" ? "synced" : "created"));
            for (auto id : dependents) dependency_failed(id, ec, why);
        } else {
            // Another item with the same key is still on its way: wait for that one.
            pending[key].dependents = std::move(dependents);
        }
    }
    void user_resolved(const std::string& key, bool ok, boost::system::error_code ec,
                       const diagnostics& diag, time_point now) {
        key_resolved(pending_users_, "user", key, ok, ec, diag, now);
    }

    void tenant_resolved(const std::string& key, bool ok, boost::system::error_code ec,
                         const diagnostics& diag, time_point now) {
        auto node = pending_tenants_.extract(key);
        if (node.empty()) return;
        if (ok) {
            remember_tenant(key);
            for (auto id : node.mapped().dependents) dependency_met(id, now);
            return;
        }
        diagnostics why = diag;
        prepend(why, "tenant '" + key + "' could not be created");
        for (auto id : node.mapped().dependents) dependency_failed(id, ec, why);
    }

    static void prepend(diagnostics& diag, const std::string& note) {
        diag.client_message =
            diag.client_message.empty() ? note : note + ": " + diag.client_message;
    }

    // ---- batches ----

    template <class Item>
    std::optional<outgoing_batch> take_from(std::deque<std::vector<Item>>& reformed,
                                            coalescer<Item, Clock>& queue, detail::lane which,
                                            time_point now, bool single = false) {
        std::vector<Item> items;
        if (!reformed.empty() && !single) {
            items = std::move(reformed.front());
            reformed.pop_front();
        } else {
            if (flushing_ == 0 && !queue.has_full_batch() && holds_partial_batches())
                return std::nullopt;
            const bool partial_due =
                flushing_ > 0 || (queue.deadline() && *queue.deadline() <= now);
            auto taken = queue.take(now, partial_due, single ? 1 : unbounded);
            if (!taken) return std::nullopt;
            items = std::move(*taken);
        }
        drop_finished(items, now);
        if (items.empty()) return std::nullopt;
        outgoing_batch out{.id = next_batch_++, .lane = which, .size = items.size()};
        if constexpr (std::is_same_v<Item, user_item> || std::is_same_v<Item, assignment_item>) {
            if (single) {
                out.single = true;
                out.body = single_body_of(items.front());
                if constexpr (std::is_same_v<Item, user_item>) out.key = items.front().user.key;
            }
        }
        if (!out.single) {
            out.body = take_spare_body();
            append_body(out.body, items);
        }
        count_batch(which, out.single);
        in_flight_.emplace(out.id, flight(std::in_place_type<std::vector<Item>>, std::move(items)));
        stats_.in_flight_high_water =
            std::max<std::uint64_t>(stats_.in_flight_high_water, in_flight_.size());
        return out;
    }

    // The queue of the lane of `Item`.
    template <class Item>
    coalescer<Item, Clock>& queue_of() {
        if constexpr (std::is_same_v<Item, tenant_create>)
            return tenants_;
        else if constexpr (std::is_same_v<Item, user_item>)
            return users_;
        else if constexpr (std::is_same_v<Item, assignment_item>)
            return assignments_;
        else if constexpr (std::is_same_v<Item, instance_item>)
            return instances_;
        else if constexpr (std::is_same_v<Item, tuple_item>)
            return tuples_;
        else
            return removals_;
    }

    // A batch that came back goes to its lane's queue with its memory, for the items queued next:
    // a batch of 3,000 users is more than half a megabyte, whose allocation and release would
    // each make the allocator sweep every small block freed since.
    template <class Item>
    void recycle(std::vector<Item>&& items) {
        queue_of<Item>().recycle(std::move(items));
    }

    // The JSON of one user (`PUT /users/{key}`) or role assignment (`POST /role_assignments`)
    // sent alone.
    static std::string single_body_of(const user_item& item) {
        std::string out;
        permit::detail::append_json(out, item.user);
        return out;
    }
    static std::string single_body_of(const assignment_item& item) {
        std::string out;
        permit::detail::append_json(out, item.assignment);
        return out;
    }

    void count_batch(detail::lane which, bool single) {
        if (single) {
            (which == lane::users ? stats_.user_writes : stats_.assignment_writes) += 1;
            return;
        }
        switch (which) {
            case lane::tenants:
                stats_.tenant_batches += 1;
                break;
            case lane::instances:
                stats_.instance_batches += 1;
                break;
            case lane::assignments:
                stats_.assignment_batches += 1;
                break;
            case lane::tuples:
                stats_.tuple_batches += 1;
                break;
            case lane::tuple_removals:
                stats_.tuple_removal_batches += 1;
                break;
            case lane::users:
                stats_.user_batches += 1;
                break;
        }
    }

    bool holds_partial_batches() const noexcept { return backlog_ && in_flight() > 0; }

    bool any_reformed() const noexcept {
        return !reformed_tenants_.empty() || !reformed_users_.empty() ||
               !reformed_assignments_.empty() || !reformed_instances_.empty() ||
               !reformed_tuples_.empty() || !reformed_removals_.empty();
    }

    bool finished(ticket_id id) const {
        const ticket* t = tickets_.find(id);
        return !t || t->done;
    }

    // Tenants are shared by callers and always sent (with the definition an `ensure_tenant` gave,
    // if any); a user or an assignment whose caller is finished (failed or gone) is not.
    void drop_finished(std::vector<tenant_create>& items, time_point) {
        for (auto& item : items) {
            auto it = pending_tenants_.find(item.key);
            if (it != pending_tenants_.end() && it->second.definition)
                item = std::move(*std::exchange(it->second.definition, std::nullopt));
        }
    }
    void drop_finished(std::vector<user_item>& items, time_point now) {
        std::erase_if(items, [&](user_item& item) {
            if (!finished(item.ticket)) return false;
            // The calls waiting for this user learn why its sync stopped.
            auto [ec, diag] = why_finished(item.ticket, "its sync was cancelled");
            user_resolved(item.user.key, false, ec, diag, now);
            unref(item.ticket);
            return true;
        });
    }
    void drop_finished(std::vector<assignment_item>& items, time_point) {
        std::erase_if(items, [&](assignment_item& item) {
            if (!finished(item.ticket)) return false;
            unref(item.ticket);
            return true;
        });
    }
    // An instance or a tuple call of a finished caller is not sent; what waits for it goes on.
    void drop_finished(std::vector<instance_item>& items, time_point now) {
        std::erase_if(items, [&](instance_item& item) {
            if (!finished(item.ticket)) return false;
            auto [ec, diag] = why_finished(item.ticket, "its call was cancelled");
            key_resolved(pending_instances_, "instance", instance_ident(item.instance), false, ec,
                         diag, now);
            unref(item.ticket);
            return true;
        });
    }
    template <class Item>
    requires std::is_same_v<Item, tuple_item> || std::is_same_v<Item, removal_item>
    void drop_finished(std::vector<Item>& items, time_point now) {
        std::erase_if(items, [&](Item& item) {
            if (!finished(item.ticket)) return false;
            tuple_call_over(tuple_ident(item.tuple), item.ticket, now);
            unref(item.ticket);
            return true;
        });
    }

    // Why the call of `id` finished: its failure, or, told as `cancelled`, its cancellation.
    std::pair<boost::system::error_code, diagnostics> why_finished(
        ticket_id id, std::string_view cancelled) const {
        if (const ticket* t = tickets_.find(id)) return why_finished(*t, cancelled);
        diagnostics diag;
        diag.client_message = cancelled;
        return {boost::asio::error::operation_aborted, std::move(diag)};
    }
    static std::pair<boost::system::error_code, diagnostics> why_finished(
        const ticket& t, std::string_view cancelled) {
        if (t.failed_with && t.failure) return {t.failed_with, *t.failure};
        diagnostics diag;
        diag.client_message = cancelled;
        return {t.failed_with ? t.failed_with : boost::asio::error::operation_aborted,
                std::move(diag)};
    }

    // The request bodies, written straight from the items (see
    // <permit/models/detail/json_writer.hpp>): the bytes `boost::json::serialize` would give.
    static void append_body(std::string& out, const std::vector<tenant_create>& items) {
        permit::detail::append_json_object_with_array(out, "operations", items);
    }
    static void append_body(std::string& out, const std::vector<user_item>& items) {
        permit::detail::append_json_object_with_array(out, "operations", items, &user_item::user);
    }
    static void append_body(std::string& out, const std::vector<assignment_item>& items) {
        permit::detail::append_json_array(out, items, &assignment_item::assignment);
    }
    static void append_body(std::string& out, const std::vector<instance_item>& items) {
        permit::detail::append_json_object_with_array(out, "operations", items,
                                                      &instance_item::instance);
    }
    static void append_body(std::string& out, const std::vector<tuple_item>& items) {
        permit::detail::append_json_object_with_array(out, "operations", items, &tuple_item::tuple);
    }
    static void append_body(std::string& out, const std::vector<removal_item>& items) {
        permit::detail::append_json_object_with_array(out, "idents", items, &removal_item::tuple);
    }

    // An empty string, with the memory of a body sent before when one was given back.
    std::string take_spare_body() {
        if (spare_bodies_.empty()) return {};
        std::string out = std::move(spare_bodies_.back());
        spare_bodies_.pop_back();
        out.clear();
        return out;
    }

    // ---- results ----

    void confirm_all(std::vector<tenant_create>& items, time_point now) {
        for (const auto& t : items) {
            stats_.tenants_created += 1;
            tenant_resolved(t.key, true, {}, {}, now);
        }
    }
    void confirm_all(std::vector<user_item>& items, time_point now) {
        for (const auto& item : items) {
            stats_.users_synced += 1;
            user_resolved(item.user.key, true, {}, {}, now);
            dependency_met(item.ticket, now);
        }
    }
    void confirm_all(std::vector<assignment_item>& items, time_point now) {
        for (const auto& item : items) {
            stats_.assignments_created += 1;
            item_confirmed(item.ticket, now);
        }
    }
    void confirm_all(std::vector<instance_item>& items, time_point now) {
        for (const auto& item : items) {
            stats_.instances_synced += 1;
            key_resolved(pending_instances_, "instance", instance_ident(item.instance), true, {},
                         {}, now);
            item_confirmed(item.ticket, now);
        }
    }
    void confirm_all(std::vector<tuple_item>& items, time_point now) {
        for (const auto& item : items) confirm_tuple(item, now);
    }
    void confirm_all(std::vector<removal_item>& items, time_point now) {
        for (const auto& item : items) confirm_tuple(item, now);
    }
    void confirm_tuple(const tuple_item& item, time_point now) {
        stats_.tuples_written += 1;
        tuple_call_over(tuple_ident(item.tuple), item.ticket, now);
        item_confirmed(item.ticket, now);
    }
    void confirm_tuple(const removal_item& item, time_point now) {
        stats_.tuples_removed += 1;
        tuple_call_over(tuple_ident(item.tuple), item.ticket, now);
        item_confirmed(item.ticket, now);
    }

    // One queued item of ticket `id` is confirmed.
    void item_confirmed(ticket_id id, time_point now) {
        ticket* t = tickets_.find(id);
        if (!t) return;
        if (t->refs > 0) t->refs -= 1;
        if (!t->done && t->items_left > 0) t->items_left -= 1;
        settle(id, now);
    }

    static constexpr bool lane_rejects_items(detail::lane which, unsigned status) {
        if (status == 400 || status == 422) return true;
        // The assignments of a missing user, role or tenant, or the instances of a missing
        // resource type or tenant, or the tuples naming a missing instance or type: 404 names
        // none of them. For removals, a tuple that is gone already.
        if (status == 404 && which != lane::users && which != lane::tenants) return true;
        // A tenant or a tuple that exists already.
        return (which == lane::tenants || which == lane::tuples) && status == 409;
    }
    // The answer that says some items of a batch are already as asked, so each is looked up.
    static constexpr bool probes_items(detail::lane which, unsigned status) {
        return (which == lane::tuples && status == 409) ||
               (which == lane::tuple_removals && status == 404);
    }

    static constexpr detail::lane lane_of(const std::vector<tenant_create>*) {
        return lane::tenants;
    }
    static constexpr detail::lane lane_of(const std::vector<user_item>*) { return lane::users; }
    static constexpr detail::lane lane_of(const std::vector<assignment_item>*) {
        return lane::assignments;
    }
    static constexpr detail::lane lane_of(const std::vector<instance_item>*) {
        return lane::instances;
    }
    static constexpr detail::lane lane_of(const std::vector<tuple_item>*) { return lane::tuples; }
    static constexpr detail::lane lane_of(const std::vector<removal_item>*) {
        return lane::tuple_removals;
    }

    std::deque<std::vector<tenant_create>>& reformed(std::vector<tenant_create>*) {
        return reformed_tenants_;
    }
    std::deque<std::vector<user_item>>& reformed(std::vector<user_item>*) {
        return reformed_users_;
    }
    std::deque<std::vector<assignment_item>>& reformed(std::vector<assignment_item>*) {
        return reformed_assignments_;
    }
    std::deque<std::vector<instance_item>>& reformed(std::vector<instance_item>*) {
        return reformed_instances_;
    }
    std::deque<std::vector<tuple_item>>& reformed(std::vector<tuple_item>*) {
        return reformed_tuples_;
    }
    std::deque<std::vector<removal_item>>& reformed(std::vector<removal_item>*) {
        return reformed_removals_;
    }

    template <class Item>
    void narrow_down(std::vector<Item> items, boost::system::error_code ec, const diagnostics& diag,
                     time_point now) {
        const detail::lane which = lane_of(&items);
        if (!lane_rejects_items(which, diag.status)) {
            for (auto& item : items) fail_item(item, ec, diag, now);
            return;
        }
        if constexpr (std::is_same_v<Item, tenant_create>) {
            if (diag.status == 409) {
                if (items.size() == 1) {
                    stats_.tenants_existing += 1;
                    tenant_resolved(items.front().key, true, {}, {}, now);
                    return;
                }
                // Some exist already: look each one up, and create the others in one batch.
                // Halving would cost about 2k log2(n/k) bulk calls for k existing tenants.
                const auto id = next_probe_++;
                for (const auto& t : items)
                    lookups_.push_back({.what = lookup::kind::tenant, .key = t.key, .probe = id});
                const std::size_t count = items.size();
                probes_.emplace(id,
                                tenant_probe{.tenants = std::move(items), .outstanding = count});
                return;
            }
        }
        if constexpr (std::is_same_v<Item, tuple_item> || std::is_same_v<Item, removal_item>) {
            if (probes_items(which, diag.status)) return probe_tuples(std::move(items), now);
        }
        auto& again = reformed(&items);
        if (diag.status == 400 || diag.status == 422) {
            auto named = named_items(diag, which, items.size());
            if (!named.empty()) {
                std::vector<Item> rest;
                for (std::size_t i = 0; i < items.size(); ++i) {
                    auto bad = named.find(i);
                    if (bad == named.end()) {
                        rest.push_back(std::move(items[i]));
                        continue;
                    }
                    stats_.items_rejected += 1;
                    fail_item(items[i], ec, item_diagnostics(diag, std::move(bad->second)), now);
                }
                if (!rest.empty()) again.push_front(std::move(rest));
                return;
            }
        }
        if (items.size() > 1) {
            stats_.batches_split += 1;
            auto [first, second] = split_in_half(std::move(items));
            again.push_front(std::move(second));
            again.push_front(std::move(first));
            return;
        }
        stats_.items_rejected += 1;
        fail_item(items.front(), ec, diag, now);
    }

    // The items a 422 names, by index, with their own errors; empty unless every error names an
    // item of the batch (`["body","operations",i,...]`, or `["body",i,...]` for a bare array).
    static std::map<std::size_t, std::vector<validation_error_item>> named_items(
        const diagnostics& diag, detail::lane which, std::size_t size) {
        std::map<std::size_t, std::vector<validation_error_item>> out;
        // Role assignments are a bare array; removals are `{"idents": [...]}`; the others
        // `{"operations": [...]}`.
        const std::size_t index_at = which == lane::assignments ? 1 : 2;
        const char* field = which == lane::tuple_removals ? "idents" : "operations";
        for (const auto& e : diag.validation_errors) {
            const auto& loc = e.loc;
            if (loc.size() <= index_at || loc[0] != "body") return {};
            if (which != lane::assignments && loc[1] != field) return {};
            const auto* index = loc[index_at].if_int64();
            if (!index || *index < 0 || static_cast<std::uint64_t>(*index) >= size) return {};
            validation_error_item own = e;
            // The caller knows its item, not its place in the batch: keep the field path only.
            own.loc = boost::json::array(loc.begin() + static_cast<std::ptrdiff_t>(index_at) + 1,
                                         loc.end());
            out[static_cast<std::size_t>(*index)].push_back(std::move(own));
        }
        return out;
    }

    static diagnostics item_diagnostics(const diagnostics& batch,
                                        std::vector<validation_error_item> errors) {
        diagnostics d = batch;
        d.validation_errors = std::move(errors);
        prepend(d, "rejected in a bulk request; the other items were sent again");
        return d;
    }

    void fail_item(tenant_create& t, boost::system::error_code ec, const diagnostics& diag,
                   time_point now) {
        tenant_resolved(t.key, false, ec, diag, now);
    }
    void fail_item(user_item& item, boost::system::error_code ec, const diagnostics& diag,
                   time_point now) {
        user_resolved(item.user.key, false, ec, diag, now);
        fail(item.ticket, ec, diag);
        unref(item.ticket);
    }
    void fail_item(assignment_item& item, boost::system::error_code ec, const diagnostics& diag,
                   time_point) {
        fail(item.ticket, ec, diag);
        unref(item.ticket);
    }
    void fail_item(instance_item& item, boost::system::error_code ec, const diagnostics& diag,
                   time_point now) {
        key_resolved(pending_instances_, "instance", instance_ident(item.instance), false, ec, diag,
                     now);
        fail(item.ticket, ec, diag);
        unref(item.ticket);
    }
    template <class Item>
    requires std::is_same_v<Item, tuple_item> || std::is_same_v<Item, removal_item>
    void fail_item(Item& item, boost::system::error_code ec, const diagnostics& diag,
                   time_point now) {
        fail(item.ticket, ec, diag);
        tuple_call_over(tuple_ident(item.tuple), item.ticket, now);
        unref(item.ticket);
    }

    // A tuple batch answered 409 (writes) or 404 (removals): some of its tuples are already as
    // asked (a replayed request, or another writer). Each is looked up; those already as asked
    // are success and the others go again, in one batch. Halving would cost about 2k log2(n/k)
    // bulk calls for k such tuples, and a replayed batch has all of them so.
    template <class Item>
    void probe_tuples(std::vector<Item> items, time_point) {
        const auto id = next_probe_++;
        auto& p = tuple_probes_[id];
        p.removals = std::is_same_v<Item, removal_item>;
        p.outstanding = items.size();
        for (std::size_t i = 0; i < items.size(); ++i) {
            const auto& t = items[i].tuple;
            lookups_.push_back(
                {.what = lookup::kind::tuple,
                 .key = std::to_string(i),
                 .tuple = {.subject = t.subject, .relation = t.relation, .object = t.object},
                 .probe = id});
        }
        if constexpr (std::is_same_v<Item, removal_item>)
            p.removals_items = std::move(items);
        else
            p.writes = std::move(items);
    }

    void tuple_looked_up(const lookup& l, boost::system::error_code ec, const diagnostics& diag,
                         time_point now) {
        auto probe = tuple_probes_.find(l.probe);
        if (probe == tuple_probes_.end()) return;  // forgotten by `fail_all`
        auto& p = probe->second;
        p.outstanding -= 1;
        const auto index = static_cast<std::size_t>(std::stoull(l.key));
        const bool found = !ec;
        const bool missing = ec && diag.status == 404;
        auto resolve = [&](auto& items, auto& again, bool as_asked) {
            auto& item = items[index];
            if (as_asked) {
                if (p.removals)
                    stats_.tuples_absent += 1;
                else
                    stats_.tuples_existing += 1;
                confirm_tuple(item, now);
            } else if (found || missing) {
                again.push_back(std::move(item));
            } else {
                fail_item(item, ec, diag, now);
            }
        };
        if (p.removals)
            resolve(p.removals_items, p.removals_again, missing);
        else
            resolve(p.writes, p.writes_again, found);
        if (p.outstanding > 0) return;
        if (!p.writes_again.empty()) reformed_tuples_.push_back(std::move(p.writes_again));
        if (!p.removals_again.empty()) reformed_removals_.push_back(std::move(p.removals_again));
        tuple_probes_.erase(probe);
    }

    bulk_options options_;
    std::string default_tenant_;
    ticket_id next_ticket_ = 1;
    std::uint64_t next_batch_ = 1;
    int flushing_ = 0;
    bool backlog_ = false;

    // The per-key records of users and instances in the pipeline come and go by the thousand a
    // second: they are kept in pools of the pipeline's own rather than each taken from and given
    // back to the global allocator.
    recycling_resource pool_;
    // The unfinished calls, and the finished ones that items in flight still refer to.
    ticket_map tickets_;
    // The ids of `tickets_` in the order they were admitted (`drained_before`); the first is
    // always a live call.
    std::deque<ticket_id> admitted_;
    // The users in the pipeline by key, for the role assignments that must wait for theirs: built
    // by the first `assign_role` and kept from then on, so that a stream of `sync_user` calls
    // alone (whose own roles wait on their call) does not pay for it.
    pending_map pending_users_{&pool_};
    bool users_indexed_ = false;
    pending_map pending_instances_{&pool_};                      // by "type:key"
    std::unordered_map<std::string, tuple_chain> tuple_chains_;  // by tuple_ident
    time_point last_now_{};  // the latest reading of the clock the pipeline was given
    std::unordered_map<std::string, pending_tenant> pending_tenants_;
    std::unordered_map<std::string, std::vector<ticket_id>> pending_roles_;  // waiting for lookup
    std::unordered_set<std::string> known_roles_;
    std::deque<lookup> lookups_;  // to be started
    // A tenant batch answered 409, while its tenants are looked up.
    struct tenant_probe {
        std::vector<tenant_create> tenants;
        std::size_t outstanding = 0;
        std::vector<tenant_create> missing;  // to create
    };
    std::unordered_map<std::uint64_t, tenant_probe> probes_;
    // A tuple batch answered 409 or 404, while its tuples are looked up.
    struct tuple_probe {
        bool removals = false;
        std::size_t outstanding = 0;
        std::vector<tuple_item> writes, writes_again;
        std::vector<removal_item> removals_items, removals_again;
    };
    std::unordered_map<std::uint64_t, tuple_probe> tuple_probes_;
    std::uint64_t next_probe_ = 1;
    std::unordered_set<std::string> known_tenants_;
    std::deque<std::string> known_order_;  // oldest first, to forget beyond `known_tenants`

    coalescer<tenant_create, Clock> tenants_;
    coalescer<user_item, Clock> users_;
    coalescer<assignment_item, Clock> assignments_;
    coalescer<instance_item, Clock> instances_;
    coalescer<tuple_item, Clock> tuples_;
    coalescer<removal_item, Clock> removals_;
    // Batches formed again after a rejection (the rest of a batch, or its halves): sent first,
    // as they are.
    std::deque<std::vector<tenant_create>> reformed_tenants_;
    std::deque<std::vector<user_item>> reformed_users_;
    std::deque<std::vector<assignment_item>> reformed_assignments_;
    std::deque<std::vector<instance_item>> reformed_instances_;
    std::deque<std::vector<tuple_item>> reformed_tuples_;
    std::deque<std::vector<removal_item>> reformed_removals_;

    std::unordered_map<std::uint64_t, flight> in_flight_;
    std::unordered_set<std::uint64_t> orphaned_;  // in flight when `fail_all` forgot their callers
    std::vector<completion> completions_;
    std::vector<std::string> spare_bodies_;  // see `recycle_body`
    bulk_stats stats_;
};

}  // namespace permit::bulk::detail
