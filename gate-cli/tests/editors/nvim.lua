-- Drives a real Neovim (0.7 or later, headless) as a user of `gate lsp`:
-- starts the server with vim.lsp.start_client, attaches it to two buffers,
-- waits for the diagnostics of the broken one, and asks for a hover and a
-- definition in the good one with the cursor on a field. What it saw goes
-- to $GATE_NVIM_OUT as JSON; the Rust test asserts on it.
local gate = os.getenv('GATE_BIN')
local broken = os.getenv('GATE_BROKEN')
local good = os.getenv('GATE_GOOD')
local out = os.getenv('GATE_NVIM_OUT')
local seen = { errors = {} }

local function finish()
  vim.fn.writefile({ vim.fn.json_encode(seen) }, out)
  vim.cmd('qall!')
end

local ok, err = pcall(function()
  local client_id = vim.lsp.start_client({
    name = 'gate',
    cmd = { gate, 'lsp' },
    root_dir = vim.fn.fnamemodify(good, ':h'),
  })
  assert(client_id, 'the server did not start')
  local client = vim.lsp.get_client_by_id(client_id)

  vim.cmd('edit ' .. vim.fn.fnameescape(broken))
  local broken_buf = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(broken_buf, client_id)
  vim.wait(20000, function() return #vim.diagnostic.get(broken_buf) > 0 end, 50)
  seen.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(broken_buf)) do
    table.insert(seen.diagnostics, {
      lnum = d.lnum, col = d.col, severity = d.severity,
      message = d.message, code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code),
    })
  end

  vim.cmd('edit ' .. vim.fn.fnameescape(good))
  local good_buf = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(good_buf, client_id)
  -- The cursor on `name` in `s.name` (1-based line, 0-based byte column).
  local lines = vim.api.nvim_buf_get_lines(good_buf, 0, -1, false)
  for i, line in ipairs(lines) do
    local col = line:find('s%.name')
    if col then
      vim.api.nvim_win_set_cursor(0, { i, col + 2 })
      break
    end
  end
  local params = vim.lsp.util.make_position_params()
  local hover = client.request_sync('textDocument/hover', params, 20000, good_buf)
  seen.hover = hover and hover.result and hover.result.contents and hover.result.contents.value
  if hover and hover.err then table.insert(seen.errors, vim.inspect(hover.err)) end
  local def = client.request_sync('textDocument/definition', params, 20000, good_buf)
  local r = def and def.result
  if r and r[1] then r = r[1] end
  if r and r.uri then
    seen.definition = { uri = r.uri, line = r.range.start.line }
  end
  if def and def.err then table.insert(seen.errors, vim.inspect(def.err)) end
  client.stop()
  vim.wait(5000, function() return client.is_stopped() end, 20)
end)
if not ok then table.insert(seen.errors, tostring(err)) end
finish()
