-- ratings.lua: the UDFs of the ratings demo (datagen's ratings and customers streams):
-- classify a rating, rank and tier a customer's club status, build a Slack alert.

-- Sentiment words, matched as whole words (runs of letters and digits) of the lower-cased
-- message; each occurrence counts.
local NEGATIVE, POSITIVE = {}, {}
for _, w in ipairs{ "worst", "never", "neveragain", "difficult", "meh", "expletive", "wasn",
                    "terrible", "awful", "dirty", "rude", "late", "bad", "broken", "delayed" } do
  NEGATIVE[w] = true
end
for _, w in ipairs{ "thank", "thanks", "great", "rocks", "good", "slick", "helpful", "friendly",
                    "exceeded", "love", "excellent", "works", "mojo" } do
  POSITIVE[w] = true
end

-- poor / neutral / good: the stars, moved by one step at most by the message's tone
-- (positive words minus negative words, clamped to -1..1).
udf.scalar{
  name = "classify_rating",
  params = { "INT stars", "STRING message" },
  returns = "STRING",
  description = "poor, neutral or good from the stars (1-5) and sentiment words in the message",
  fn = function(stars, message)
    local tone = 0
    for w in string.gmatch(string.lower(message), "%w+") do
      if POSITIVE[w] then tone = tone + 1 elseif NEGATIVE[w] then tone = tone - 1 end
    end
    if tone > 1 then tone = 1 elseif tone < -1 then tone = -1 end
    local v = stars + tone
    if v <= 2 then return "poor" elseif v == 3 then return "neutral" else return "good" end
  end,
}

local RANK = { platinum = 4, gold = 3, silver = 2, bronze = 1 }
local NAME = { "bronze", "silver", "gold", "platinum" }

-- " Gold ", "GOLD", "gold\t" -> "gold": lower case, blanks removed.
local function normalise(status)
  return (string.gsub(string.lower(status), "%s+", ""))
end

udf.scalar{
  name = "club_rank",
  params = { "STRING club_status" },
  returns = "INT",
  description = "platinum 4, gold 3, silver 2, bronze 1, anything else 0 (case and blanks ignored)",
  fn = function(status)
    return RANK[normalise(status)] or 0
  end,
}

-- The canonical tier name, or "none" for an unknown status.
udf.scalar{
  name = "loyalty_tier",
  params = { "STRING club_status" },
  returns = "STRING",
  description = "platinum, gold, silver, bronze or none (case and blanks ignored)",
  fn = function(status)
    local r = RANK[normalise(status)]
    return r and NAME[r] or "none"
  end,
}

-- With the rating: a gold or platinum customer who gave 1 or 2 stars is "<tier>-at-risk".
udf.scalar{
  name = "loyalty_tier",
  params = { "STRING club_status", "INT stars" },
  returns = "STRING",
  description = "the tier, with -at-risk for a gold or platinum customer rating 1 or 2 stars",
  fn = function(status, stars)
    local r = RANK[normalise(status)]
    if not r then return "none" end
    if r >= 3 and stars <= 2 then return NAME[r] .. "-at-risk" end
    return NAME[r]
  end,
}

-- The best tier among any number of statuses (NULLs ignored): "none" when none is known.
udf.scalar{
  name = "best_club_status",
  params = { "STRING... statuses" },
  returns = "STRING",
  calls_on_null = true,
  description = "the highest tier among the arguments (NULLs ignored), or none",
  fn = function(...)
    local best = 0
    for i = 1, select("#", ...) do
      local s = select(i, ...)
      local r = s and RANK[normalise(s)] or 0
      if r > best then best = r end
    end
    return NAME[best] or "none"
  end,
}

-- JSON string literal: quotes, backslash and control characters escaped; UTF-8 passes.
local JSON_ESC = { ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
                   ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
for c = 0, 31 do
  local ch = string.char(c)
  JSON_ESC[ch] = JSON_ESC[ch] or string.format("\\u%04x", c)
end
JSON_ESC["\127"] = "\\u007f"
local function json_string(s)
  return '"' .. string.gsub(s, '[%c"\\]', JSON_ESC) .. '"'
end

-- Slack's mrkdwn needs &, < and > escaped (they start links and mentions).
local SLACK_ESC = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;" }
local function slack_escape(s)
  return (string.gsub(s, "[&<>]", SLACK_ESC))
end

-- The JSON body of a Slack incoming-webhook message about a rating: "text" (the notification
-- fallback) and "blocks" (a section quoting the message, a context line). NULLs show as "?".
udf.scalar{
  name = "slack_alert",
  params = { "STRING first_name", "STRING last_name", "STRING club_status", "INT stars",
             "STRING message", "STRING channel" },
  returns = "STRING",
  calls_on_null = true,
  description = "JSON body of a Slack incoming-webhook message (text and blocks) for a rating",
  fn = function(first_name, last_name, club_status, stars, message, channel)
    local who = slack_escape((first_name or "?") .. " " .. (last_name or "?"))
    local status = slack_escape(club_status or "?")
    local rating = stars and (tostring(stars) .. "/5") or "?/5"
    local text = string.format("Rating %s from %s (%s)", rating, who, status)
    local section = string.format("*%s* (%s) rated *%s* on %s:\n>%s", who, status, rating,
                                  slack_escape(channel or "?"), slack_escape(message or ""))
    local context = string.format("club status: %s | channel: %s", status,
                                  slack_escape(channel or "?"))
    return '{"text":' .. json_string(text)
        .. ',"blocks":[{"type":"section","text":{"type":"mrkdwn","text":'
        .. json_string(section) .. '}},{"type":"context","elements":[{"type":"mrkdwn","text":'
        .. json_string(context) .. '}]}]}'
  end,
}
