-- The mixed journey: each connection is a person who reads a page, thinks for 0.5 to 1.5 s
-- and moves on; patients (signed in), a clinician and guests, in the proportions below.
-- Paths and cookies come from the environment that bench/run.sh sets. The patient pages
-- marked `someone` go to a different one of JOURNEY_COOKIES' 40 patients each time, so each
-- patient's pages are rendered afresh on their first visit, as on a real site; the steps
-- that need a started form (a screening, a check-in) are the bench patient's.
local patient = { "Cookie", os.getenv("PATIENT_COOKIE") }
local clinician = { "Cookie", os.getenv("CLINICIAN_COOKIE") }
local someone = {}
local people = {}
for cookie in string.gmatch(os.getenv("JOURNEY_COOKIES") or "", "[^|]+") do
  table.insert(people, cookie)
end
local steps = {
  { "GET", "/", nil },
  { "GET", "/", someone },
  { "GET", "/exercises/", someone },
  { "GET", "/exercises/?kind=mobility&region=hip", nil },
  { "GET", "/exercises/cat-cow/", someone },
  { "GET", "/plan/", someone },
  { "GET", "/progress/", someone },
  { "GET", "/progress/log/", someone },
  { "GET", os.getenv("CHECKLIST_RESULT"), patient },
  { "GET", os.getenv("SCREENING_STEP"), patient },
  { "POST", "/progress/check-in/", patient },
  { "GET", "/clinic/", clinician },
  { "GET", os.getenv("REVIEW_PAGE"), clinician },
}
local body = os.getenv("CHECKIN_BODY")
local n = 0
local next_person = 0

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init(args)
  math.randomseed(os.time() + (seed or 0))
  n = math.random(#steps)
  next_person = math.random(#people)
end

function delay()
  return math.random(500, 1500)
end

function request()
  n = n % #steps + 1
  local method, path, who = unpack(steps[n])
  local headers = {}
  if who == someone then
    next_person = next_person % #people + 1
    headers["Cookie"] = people[next_person]
  elseif who then
    headers[who[1]] = who[2]
  end
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format(method, path, headers, body)
  end
  return wrk.format(method, path, headers)
end

dofile("bench/summary.lua")
