// The chain service's integration test runs `npx hardhat node` from here: a real JSON-RPC node, nothing compiled.
module.exports = { networks: { hardhat: { chainId: 31337 } } };
