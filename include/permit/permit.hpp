// Everything a user of permit-cpp needs: `#include <permit/permit.hpp>`.
#pragma once

#include <permit/client.hpp>
#include <permit/config.hpp>
#include <permit/diagnostics.hpp>
#include <permit/error.hpp>
#include <permit/models.hpp>
#include <permit/pager.hpp>
#include <permit/raw_request.hpp>
#include <permit/use_awaitable.hpp>
#include <permit/version.hpp>

/// \namespace permit
/// A coroutine client of the Permit.io authorization API: `permit::client` and its operations,
/// the API's models with their Boost.JSON conversions, the error codes and `permit::diagnostics`,
/// and the client's settings (`permit::config`).
