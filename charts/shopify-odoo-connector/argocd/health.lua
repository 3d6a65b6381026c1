-- Argo CD health of a ShopifyInstance, OrderQueue or ProductExport, read from
-- its kstatus conditions (Ready, Reconciling, Stalled) and observedGeneration.
local hs = { status = "Progressing", message = "Waiting for the controller" }
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
local generation = obj.metadata.generation or 0
if (obj.status.observedGeneration or 0) < generation then
  hs.message = "Waiting for the controller to observe generation " .. generation
  return hs
end
local c = {}
for _, cond in ipairs(obj.status.conditions) do
  c[cond.type] = cond
end
local function is(t)
  return c[t] ~= nil and c[t].status == "True"
end
local function said(t)
  return { status = "", message = (c[t] and c[t].message) or "" }
end
-- Stalled: nothing changes until someone edits the object.
if is("Stalled") then
  hs = said("Stalled")
  hs.status = "Degraded"
  return hs
end
if is("Suspended") then
  hs = said("Suspended")
  hs.status = "Suspended"
  return hs
end
-- A failure being retried (ProgressingWithRetry) is not progress: Ready says it.
if is("Reconciling") and c["Reconciling"].reason ~= "ProgressingWithRetry" then
  hs = said("Reconciling")
  hs.status = "Progressing"
  return hs
end
local ready = c["Ready"]
if ready == nil or ready.status == "Unknown" then
  hs = said("Ready")
  hs.status = "Progressing"
  return hs
end
hs = said("Ready")
if ready.status == "True" then
  hs.status = "Healthy"
elseif obj.kind == "OrderQueue" or obj.kind == "ImportQueue" then
  -- A queue that is not ready waits for its instance, which shows the failure.
  hs.status = "Progressing"
else
  -- Retried on its own, but the instance or export does not work meanwhile.
  hs.status = "Degraded"
end
return hs
